CREATE TABLE `directory_snapshots` (
	`version` integer PRIMARY KEY NOT NULL,
	`data` text NOT NULL,
	`digest` text NOT NULL,
	`actor` text NOT NULL,
	`note` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text NOT NULL,
	`unit_id` text NOT NULL,
	`unit_name` text NOT NULL,
	`region_code` text NOT NULL,
	`role` text NOT NULL,
	`rule` text NOT NULL,
	`article` text NOT NULL,
	`decided_by` text NOT NULL,
	`actor` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`superseded_at` integer,
	FOREIGN KEY (`case_id`) REFERENCES `cases`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `assignments_case` ON `assignments` (`case_id`,`superseded_at`);--> statement-breakpoint
CREATE INDEX `assignments_unit` ON `assignments` (`unit_id`,`superseded_at`);--> statement-breakpoint
CREATE TABLE `cases` (
	`id` text PRIMARY KEY NOT NULL,
	`case_number` text NOT NULL,
	`parent_case_id` text,
	`court_code` text NOT NULL,
	`region_code` text,
	`instance` text NOT NULL,
	`routing_status` text NOT NULL,
	`facts_json` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `cases_number` ON `cases` (`case_number`);--> statement-breakpoint
CREATE INDEX `cases_region` ON `cases` (`region_code`,`created_at`);--> statement-breakpoint
CREATE TABLE `queue_items` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text,
	`document_id` text NOT NULL,
	`region_code` text,
	`candidate_regions` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`created_at` integer NOT NULL,
	`resolved_at` integer,
	`resolved_by` text,
	`resolution` text
);
--> statement-breakpoint
CREATE INDEX `queue_items_status` ON `queue_items` (`status`,`region_code`,`created_at`);--> statement-breakpoint
CREATE INDEX `queue_items_case` ON `queue_items` (`case_id`);--> statement-breakpoint
CREATE TABLE `routing_decisions` (
	`document_id` text PRIMARY KEY NOT NULL,
	`case_id` text,
	`status` text NOT NULL,
	`rule` text NOT NULL,
	`article` text NOT NULL,
	`region_code` text,
	`directory_version` integer NOT NULL,
	`on_date` text NOT NULL,
	`decision_json` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `routing_decisions_case` ON `routing_decisions` (`case_id`);