ALTER TABLE `ratings` ADD `source` text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE `ratings` ADD `source_address` text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE `ratings` ADD `posted_at` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Rows written before the store kept its own clock: their rating time is the best guess.
UPDATE `ratings` SET `posted_at` = `timestamp`;