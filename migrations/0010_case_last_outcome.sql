ALTER TABLE `cases` ADD `last_outcome_at` integer;--> statement-breakpoint
CREATE INDEX `cases_region_outcome` ON `cases` (`region_code`,`last_outcome_at`,`created_at`,`id`);