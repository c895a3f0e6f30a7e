-- genome_scores WITHOUT ROWID (added by hand, as drizzle cannot say it): the rows live in the (movie_id, tag_id) b-tree.
CREATE TABLE `genome_scores` (
	`movie_id` integer NOT NULL,
	`tag_id` integer NOT NULL,
	`relevance` real NOT NULL,
	PRIMARY KEY(`movie_id`, `tag_id`)
) WITHOUT ROWID;
--> statement-breakpoint
CREATE TABLE `genome_tags` (
	`tag_id` integer PRIMARY KEY NOT NULL,
	`tag` text NOT NULL
);
