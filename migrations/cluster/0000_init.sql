CREATE TABLE `events` (
	`rev` integer PRIMARY KEY NOT NULL,
	`resource` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`object` text NOT NULL,
	`prev` text,
	`ts` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_resource_rev` ON `events` (`resource`,`rev`);--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `objects` (
	`resource` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`uid` text NOT NULL,
	`rv` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`resource`, `namespace`, `name`)
);
