CREATE TABLE `dataset_meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `links` (
	`movie_id` integer PRIMARY KEY NOT NULL,
	`imdb_id` text,
	`tmdb_id` integer
);
--> statement-breakpoint
CREATE TABLE `movie_genres` (
	`movie_id` integer NOT NULL,
	`genre` text NOT NULL,
	PRIMARY KEY(`genre`, `movie_id`)
);
--> statement-breakpoint
CREATE TABLE `movies` (
	`movie_id` integer PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`year` integer,
	`genres` text NOT NULL,
	`title_search` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `movies_title_search_idx` ON `movies` (`title_search`);--> statement-breakpoint
CREATE TABLE `ratings` (
	`user_id` integer NOT NULL,
	`movie_id` integer NOT NULL,
	`rating` real NOT NULL,
	`timestamp` integer NOT NULL,
	PRIMARY KEY(`user_id`, `movie_id`)
);
--> statement-breakpoint
CREATE TABLE `tags` (
	`user_id` integer NOT NULL,
	`movie_id` integer NOT NULL,
	`tag` text NOT NULL,
	`timestamp` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tags_movie_id_idx` ON `tags` (`movie_id`);--> statement-breakpoint
CREATE TABLE `user_rating_blobs` (
	`user_id` integer PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`movie_ids` blob NOT NULL,
	`ratings` blob NOT NULL,
	`timestamps` blob NOT NULL
);
