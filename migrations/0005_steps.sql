CREATE TABLE `case_steps` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`kind` text NOT NULL,
	`actor_role` text NOT NULL,
	`actor` text NOT NULL,
	`data_json` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `case_steps_case` ON `case_steps` (`case_id`,`at`);