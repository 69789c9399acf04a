CREATE TABLE `legal_advisers` (
	`id` text PRIMARY KEY NOT NULL,
	`region_code` text NOT NULL,
	`name` text NOT NULL,
	`organisation` text NOT NULL,
	`active` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `legal_advisers_region` ON `legal_advisers` (`region_code`,`active`);