CREATE TABLE `case_revisions` (
	`case_id` text NOT NULL,
	`revision` integer NOT NULL,
	PRIMARY KEY(`case_id`, `revision`)
);
