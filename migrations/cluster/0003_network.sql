CREATE TABLE `allocations` (
	`pool` text NOT NULL,
	`value` text NOT NULL,
	`owner` text NOT NULL,
	`uid` text NOT NULL,
	PRIMARY KEY(`pool`, `value`)
);
--> statement-breakpoint
CREATE INDEX `allocations_owner` ON `allocations` (`owner`,`pool`);--> statement-breakpoint
CREATE TABLE `ipam_blocks` (
	`idx` integer PRIMARY KEY NOT NULL,
	`node` text NOT NULL,
	`used` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ipam_blocks_node` ON `ipam_blocks` (`node`);--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
