CREATE SEQUENCE "public"."posted_signals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "posted_signals" (
	"id" bigint PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"movie_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"created_at" bigint NOT NULL,
	"source" text DEFAULT 'unknown' NOT NULL,
	"source_address" text DEFAULT 'unknown' NOT NULL,
	CONSTRAINT "posted_signals_user_movie_kind" UNIQUE("user_id","movie_id","kind"),
	CONSTRAINT "posted_signals_kind_check" CHECK ("posted_signals"."kind" IN ('not_interested', 'seen', 'watchlist'))
);
--> statement-breakpoint
CREATE INDEX "posted_signals_user_newest" ON "posted_signals" USING btree ("user_id","id");