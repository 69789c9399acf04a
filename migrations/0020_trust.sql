CREATE TABLE `receipt_timestamps` (
	`delivery_id` text PRIMARY KEY NOT NULL,
	`sender_code` text NOT NULL,
	`receipt_id` text NOT NULL,
	`receipt_sha256` text NOT NULL,
	`batch_id` text,
	`position` integer,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `receipt_timestamps_pending` ON `receipt_timestamps` (`batch_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `revocation_crl_sources` (
	`url` text PRIMARY KEY NOT NULL,
	`issuer_fingerprint` text NOT NULL,
	`issuer_der` text NOT NULL,
	`sender_code` text NOT NULL,
	`next_fetch_at` integer NOT NULL,
	`last_fetched_at` integer,
	`last_error` text,
	`failures` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `revocation_crls` (
	`issuer_fingerprint` text PRIMARY KEY NOT NULL,
	`issuer_subject` text NOT NULL,
	`crl_number` text,
	`this_update` integer NOT NULL,
	`next_update` integer,
	`der` text NOT NULL,
	`source` text NOT NULL,
	`sender_code` text,
	`stored_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `revocation_ocsp` (
	`cert_fingerprint` text PRIMARY KEY NOT NULL,
	`cert_subject` text NOT NULL,
	`cert_der` text NOT NULL,
	`issuer_der` text NOT NULL,
	`responder_url` text NOT NULL,
	`sender_code` text NOT NULL,
	`status` text NOT NULL,
	`revoked_at` integer,
	`produced_at` integer,
	`this_update` integer,
	`next_update` integer,
	`response_der` text,
	`next_fetch_at` integer NOT NULL,
	`last_error` text,
	`failures` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `revocation_ocsp_due` ON `revocation_ocsp` (`next_fetch_at`);--> statement-breakpoint
CREATE TABLE `revocation_rechecks` (
	`delivery_id` text PRIMARY KEY NOT NULL,
	`sender_code` text NOT NULL,
	`certs_json` text NOT NULL,
	`signed_at` integer NOT NULL,
	`until` integer NOT NULL,
	`status` text NOT NULL,
	`outcome` text,
	`checked_at` integer
);
--> statement-breakpoint
CREATE INDEX `revocation_rechecks_status` ON `revocation_rechecks` (`status`);--> statement-breakpoint
CREATE TABLE `timestamp_batches` (
	`id` text PRIMARY KEY NOT NULL,
	`tsa_url` text NOT NULL,
	`leaves_json` text NOT NULL,
	`imprint` text NOT NULL,
	`token` text NOT NULL,
	`gen_time` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE `senders` ADD `revocation_policy` text DEFAULT 'soft' NOT NULL;--> statement-breakpoint
ALTER TABLE `senders` ADD `sm2` integer DEFAULT false NOT NULL;