-- Custom SQL migration file, put your code below! ---- A custom (data) migration made with `drizzle-kit generate --custom`: the sender of each case received before
-- 0016 added cases.sender_code: the sender of the case's first document (the delivery that created it).
UPDATE `cases` SET `sender_code` = (SELECT `dl`.`sender_code` FROM `documents` `d` JOIN `deliveries` `dl` ON `dl`.`id` = `d`.`delivery_id` WHERE `d`.`case_number` = `cases`.`case_number` ORDER BY `d`.`arrived_at`, `d`.`id` LIMIT 1) WHERE `sender_code` IS NULL;
