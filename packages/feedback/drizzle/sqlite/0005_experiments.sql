CREATE TABLE `experiments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`control_version` text NOT NULL,
	`challenger_version` text NOT NULL,
	`share` real NOT NULL,
	`seed` integer NOT NULL,
	`status` text NOT NULL,
	`started_at` integer NOT NULL,
	`ended_at` integer,
	CONSTRAINT "experiments_status_check" CHECK("experiments"."status" IN ('running', 'promoted', 'dropped')),
	CONSTRAINT "experiments_share_check" CHECK("experiments"."share" > 0 AND "experiments"."share" < 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `experiments_one_running` ON `experiments` (`status`) WHERE "experiments"."status" = 'running';