CREATE TABLE `calendar_data_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`digest` text NOT NULL,
	`detail` text NOT NULL,
	`checked_at` integer NOT NULL
);
