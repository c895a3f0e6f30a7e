CREATE TABLE `taste_signals` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`movie_id` integer NOT NULL,
	`kind` text NOT NULL,
	`created_at` integer NOT NULL,
	`source` text DEFAULT 'unknown' NOT NULL,
	`source_address` text DEFAULT 'unknown' NOT NULL,
	CONSTRAINT "taste_signals_kind_check" CHECK("taste_signals"."kind" IN ('not_interested', 'seen', 'watchlist'))
);
--> statement-breakpoint
CREATE INDEX `taste_signals_user_newest` ON `taste_signals` (`user_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `taste_signals_user_movie_kind` ON `taste_signals` (`user_id`,`movie_id`,`kind`);