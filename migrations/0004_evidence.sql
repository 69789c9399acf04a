CREATE TABLE `evidence` (
	`id` text PRIMARY KEY NOT NULL,
	`sender_code` text NOT NULL,
	`type` text NOT NULL,
	`delivery_id` text,
	`document_id` text,
	`unique_key` text NOT NULL,
	`payload_json` text NOT NULL,
	`jws` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `evidence_unique` ON `evidence` (`unique_key`);--> statement-breakpoint
CREATE INDEX `evidence_sender` ON `evidence` (`sender_code`,`id`);--> statement-breakpoint
CREATE INDEX `evidence_document` ON `evidence` (`document_id`);