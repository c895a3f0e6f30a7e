CREATE TABLE `catalogue_movies` (
	`movie_id` integer PRIMARY KEY NOT NULL,
	`revision` integer NOT NULL,
	`created` integer NOT NULL,
	`fields` text NOT NULL,
	`hidden` integer NOT NULL,
	`source` text NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `catalogue_movies_revision` ON `catalogue_movies` (`revision`);