CREATE TABLE `suggestion_steps` (
	`id` text PRIMARY KEY NOT NULL,
	`suggestion_id` text NOT NULL,
	`kind` text NOT NULL,
	`actor` text NOT NULL,
	`actor_role` text NOT NULL,
	`data_json` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `suggestion_steps_suggestion` ON `suggestion_steps` (`suggestion_id`,`at`);--> statement-breakpoint
CREATE TABLE `suggestions` (
	`id` text PRIMARY KEY NOT NULL,
	`document_id` text NOT NULL,
	`sender_code` text NOT NULL,
	`kind` text NOT NULL,
	`case_id` text,
	`region_code` text,
	`unit_id` text,
	`status` text NOT NULL,
	`reply_due_on` text NOT NULL,
	`reply_due_json` text NOT NULL,
	`urgent` integer DEFAULT false NOT NULL,
	`reply_evidence_id` text,
	`acknowledged_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suggestions_document` ON `suggestions` (`document_id`);--> statement-breakpoint
CREATE INDEX `suggestions_status` ON `suggestions` (`status`,`reply_due_on`);--> statement-breakpoint
CREATE INDEX `suggestions_unit` ON `suggestions` (`unit_id`,`status`);--> statement-breakpoint
CREATE INDEX `suggestions_sender` ON `suggestions` (`sender_code`,`status`);