CREATE TABLE `sender_cas` (
	`id` text PRIMARY KEY NOT NULL,
	`sender_code` text NOT NULL,
	`fingerprint` text NOT NULL,
	`subject` text NOT NULL,
	`not_before` integer NOT NULL,
	`not_after` integer NOT NULL,
	`der` text NOT NULL,
	`added_at` integer NOT NULL,
	FOREIGN KEY (`sender_code`) REFERENCES `senders`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sender_cas_sender_fp` ON `sender_cas` (`sender_code`,`fingerprint`);--> statement-breakpoint
CREATE INDEX `sender_cas_sender` ON `sender_cas` (`sender_code`);--> statement-breakpoint
CREATE TABLE `senders` (
	`code` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`name` text NOT NULL,
	`callback_url` text,
	`trust_version` integer DEFAULT 1 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`sender_code` text NOT NULL,
	`message_id` text NOT NULL,
	`content_digest` text NOT NULL,
	`format` text NOT NULL,
	`envelope` text NOT NULL,
	`envelope_digest` text NOT NULL,
	`signer_subject` text NOT NULL,
	`signer_fingerprint` text NOT NULL,
	`issued_at` integer NOT NULL,
	`arrived_at` integer NOT NULL,
	`receipt_id` text NOT NULL,
	`receipt_json` text NOT NULL,
	`receipt_jws` text NOT NULL,
	FOREIGN KEY (`sender_code`) REFERENCES `senders`(`code`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_sender_message` ON `deliveries` (`sender_code`,`message_id`);--> statement-breakpoint
CREATE INDEX `deliveries_arrived` ON `deliveries` (`arrived_at`);--> statement-breakpoint
CREATE TABLE `document_attachments` (
	`document_id` text NOT NULL,
	`attachment_id` text NOT NULL,
	`filename` text NOT NULL,
	`media_type` text NOT NULL,
	`size` integer NOT NULL,
	`sha256` text NOT NULL,
	PRIMARY KEY(`document_id`, `attachment_id`),
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `document_attachments_sha` ON `document_attachments` (`sha256`);--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`delivery_id` text NOT NULL,
	`document_id` text NOT NULL,
	`type` text NOT NULL,
	`title` text NOT NULL,
	`case_number` text,
	`entry_json` text NOT NULL,
	`entry_digest` text NOT NULL,
	`arrived_at` integer NOT NULL,
	FOREIGN KEY (`delivery_id`) REFERENCES `deliveries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_delivery_doc` ON `documents` (`delivery_id`,`document_id`);--> statement-breakpoint
CREATE INDEX `documents_case` ON `documents` (`case_number`);--> statement-breakpoint
CREATE TABLE `blobs` (
	`sha256` text PRIMARY KEY NOT NULL,
	`size` integer NOT NULL,
	`bytes` blob NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_checkpoints` (
	`seq` integer PRIMARY KEY NOT NULL,
	`hash` text NOT NULL,
	`at` integer NOT NULL,
	`kid` text NOT NULL,
	`jws` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` integer NOT NULL,
	`actor` text NOT NULL,
	`action` text NOT NULL,
	`subject` text NOT NULL,
	`data` text NOT NULL,
	`data_digest` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
