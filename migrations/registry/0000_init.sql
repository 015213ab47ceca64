CREATE TABLE `create_buckets` (
	`client` text PRIMARY KEY NOT NULL,
	`tokens` real NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sandboxes` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`owner` text NOT NULL,
	`token_hash` text NOT NULL,
	`spec` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`checked_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sandboxes_owner_name` ON `sandboxes` (`owner`,`name`);--> statement-breakpoint
CREATE UNIQUE INDEX `sandboxes_token_hash` ON `sandboxes` (`token_hash`);--> statement-breakpoint
CREATE INDEX `sandboxes_expires_at` ON `sandboxes` (`expires_at`);--> statement-breakpoint
CREATE INDEX `sandboxes_checked_at` ON `sandboxes` (`checked_at`);