CREATE TABLE `timers` (
	`kind` text NOT NULL,
	`key` text NOT NULL,
	`due` integer NOT NULL,
	PRIMARY KEY(`kind`, `key`)
);
--> statement-breakpoint
CREATE INDEX `timers_due` ON `timers` (`due`);