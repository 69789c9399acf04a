-- Custom SQL migration file, put your code below! --
-- A custom (data) migration made with `drizzle-kit generate --custom`: fill cases.last_outcome_at for cases
-- received before 0010 added it: the arrival of the case's latest judgment, ruling or mediation document.
UPDATE `cases` SET `last_outcome_at` = (SELECT max(`d`.`arrived_at`) FROM `documents` `d` WHERE `d`.`case_number` = `cases`.`case_number` AND `d`.`type` IN ('judgment', 'ruling', 'mediation'));
