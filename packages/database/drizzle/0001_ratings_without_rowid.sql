-- Custom migration (drizzle-kit generate --custom): drizzle's schema DSL cannot say WITHOUT ROWID.
-- The table is empty when this runs (0000 just created it), so it is simply recreated.
-- ratings lives in its (user_id, movie_id) primary-key b-tree: one b-tree to append to during the
-- sorted bulk load (instead of a table plus an autoindex), and per-user reads are primary-key
-- range scans.
DROP TABLE `ratings`;--> statement-breakpoint
CREATE TABLE `ratings` (
	`user_id` integer NOT NULL,
	`movie_id` integer NOT NULL,
	`rating` real NOT NULL,
	`timestamp` integer NOT NULL,
	PRIMARY KEY(`user_id`, `movie_id`)
) WITHOUT ROWID;
