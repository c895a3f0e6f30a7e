CREATE TABLE `ratings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` integer NOT NULL,
	`movie_id` integer NOT NULL,
	`rating` real NOT NULL,
	`timestamp` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ratings_user_newest` ON `ratings` (`user_id`,`id`);--> statement-breakpoint
CREATE UNIQUE INDEX `ratings_user_movie` ON `ratings` (`user_id`,`movie_id`);