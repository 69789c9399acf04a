CREATE TABLE `meeting_packs` (
	`id` text PRIMARY KEY NOT NULL,
	`meeting_date` text NOT NULL,
	`regions` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`agenda_notes` text NOT NULL,
	`content_json` text NOT NULL,
	`content_digest` text NOT NULL,
	`jws` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `meeting_packs_created` ON `meeting_packs` (`created_at`);