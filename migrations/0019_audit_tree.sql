CREATE TABLE `audit_tree` (
	`key` integer PRIMARY KEY NOT NULL,
	`hash` blob NOT NULL
);
--> statement-breakpoint
ALTER TABLE `audit_checkpoints` ADD `root` text;