CREATE TABLE `calendar_overrides` (
	`date` text PRIMARY KEY NOT NULL,
	`working` integer NOT NULL,
	`name` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`actor` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `calendar_published_years` (
	`year` integer PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`actor` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `obligations` (
	`id` text PRIMARY KEY NOT NULL,
	`case_id` text,
	`document_id` text NOT NULL,
	`region_code` text,
	`rule_id` text NOT NULL,
	`kind` text NOT NULL,
	`title_zh` text NOT NULL,
	`title_en` text NOT NULL,
	`party` text NOT NULL,
	`unit_id` text,
	`due_on` text NOT NULL,
	`provisional` integer NOT NULL,
	`derivation_json` text NOT NULL,
	`source` text NOT NULL,
	`status` text NOT NULL,
	`status_reason` text,
	`done_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `obligations_open_due` ON `obligations` (`due_on`) WHERE status = 'open';--> statement-breakpoint
CREATE INDEX `obligations_case` ON `obligations` (`case_id`);--> statement-breakpoint
CREATE INDEX `obligations_unit` ON `obligations` (`unit_id`,`status`,`due_on`);--> statement-breakpoint
CREATE INDEX `obligations_provisional` ON `obligations` (`due_on`) WHERE provisional = 1 and status = 'open';--> statement-breakpoint
CREATE UNIQUE INDEX `obligations_doc_rule` ON `obligations` (`document_id`,`rule_id`);--> statement-breakpoint
CREATE TABLE `periodic_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`region_code` text NOT NULL,
	`kind` text NOT NULL,
	`period` text NOT NULL,
	`due_on` text NOT NULL,
	`created_at` integer NOT NULL,
	`data_json` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `periodic_runs_once` ON `periodic_runs` (`region_code`,`kind`,`period`);--> statement-breakpoint
CREATE TABLE `region_policies` (
	`region_code` text PRIMARY KEY NOT NULL,
	`preset_id` text NOT NULL,
	`overrides_json` text DEFAULT '{}' NOT NULL,
	`updated_at` integer NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `remediation_items` (
	`id` text PRIMARY KEY NOT NULL,
	`obligation_id` text NOT NULL,
	`region_code` text,
	`unit_id` text,
	`created_at` integer NOT NULL,
	`status` text NOT NULL,
	`closed_at` integer,
	`note` text,
	FOREIGN KEY (`obligation_id`) REFERENCES `obligations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `remediation_obligation` ON `remediation_items` (`obligation_id`);--> statement-breakpoint
CREATE INDEX `remediation_open` ON `remediation_items` (`region_code`,`status`);--> statement-breakpoint
CREATE TABLE `reminders` (
	`id` text PRIMARY KEY NOT NULL,
	`obligation_id` text NOT NULL,
	`kind` text NOT NULL,
	`fire_at` integer NOT NULL,
	`notify_json` text NOT NULL,
	`source` text NOT NULL,
	`sent_at` integer,
	`cancelled_at` integer,
	FOREIGN KEY (`obligation_id`) REFERENCES `obligations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `reminders_due` ON `reminders` (`fire_at`) WHERE sent_at is null and cancelled_at is null;--> statement-breakpoint
CREATE UNIQUE INDEX `reminders_once` ON `reminders` (`obligation_id`,`kind`,`fire_at`);--> statement-breakpoint
CREATE TABLE `calendar_feed_tokens` (
	`unit_id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_channels` (
	`id` text PRIMARY KEY NOT NULL,
	`unit_id` text NOT NULL,
	`kind` text NOT NULL,
	`url` text NOT NULL,
	`secret` text,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notification_channels_unit` ON `notification_channels` (`unit_id`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`destination` text NOT NULL,
	`payload_json` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`created_at` integer NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `outbox_idempotency` ON `outbox` (`idempotency_key`);--> statement-breakpoint
CREATE INDEX `outbox_pending` ON `outbox` (`next_attempt_at`) WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX `outbox_dead` ON `outbox` (`created_at`) WHERE status = 'dead';