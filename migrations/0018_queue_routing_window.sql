ALTER TABLE `queue_items` ADD `due_on` text;--> statement-breakpoint
ALTER TABLE `queue_items` ADD `obligation_id` text;