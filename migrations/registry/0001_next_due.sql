ALTER TABLE `sandboxes` ADD `next_due` integer;--> statement-breakpoint
CREATE INDEX `sandboxes_next_due` ON `sandboxes` (`next_due`);