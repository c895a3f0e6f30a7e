CREATE SEQUENCE "public"."posted_ratings_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "posted_ratings" (
	"id" bigint PRIMARY KEY NOT NULL,
	"user_id" bigint NOT NULL,
	"movie_id" bigint NOT NULL,
	"rating" double precision NOT NULL,
	"timestamp" bigint NOT NULL,
	CONSTRAINT "posted_ratings_user_id_movie_id_key" UNIQUE("user_id","movie_id"),
	CONSTRAINT "posted_ratings_rating_check" CHECK ("posted_ratings"."rating" >= 0.5 AND "posted_ratings"."rating" <= 5 AND "posted_ratings"."rating" * 2 = trunc("posted_ratings"."rating" * 2))
);
--> statement-breakpoint
CREATE INDEX "posted_ratings_user_newest" ON "posted_ratings" USING btree ("user_id","id");