DROP INDEX `documents_case`;--> statement-breakpoint
CREATE INDEX `documents_case` ON `documents` (`case_number`,`type`,`arrived_at`);--> statement-breakpoint
DROP INDEX `cases_region`;--> statement-breakpoint
CREATE INDEX `cases_region` ON `cases` (`region_code`,`created_at`,`case_number`,`id`);--> statement-breakpoint
CREATE INDEX `obligations_region_due` ON `obligations` (`region_code`,`due_on`);