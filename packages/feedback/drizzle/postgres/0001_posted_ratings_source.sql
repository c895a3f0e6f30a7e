ALTER TABLE "posted_ratings" ADD COLUMN "source" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "posted_ratings" ADD COLUMN "source_address" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "posted_ratings" ADD COLUMN "posted_at" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Rows written before the store kept its own clock: their rating time is the best guess.
UPDATE "posted_ratings" SET "posted_at" = "timestamp";