CREATE SCHEMA "reelrank_catalogue";
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."dataset_meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."links" (
	"movie_id" integer PRIMARY KEY NOT NULL,
	"imdb_id" text,
	"tmdb_id" integer
);
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."movie_genres" (
	"movie_id" integer NOT NULL,
	"genre" text NOT NULL,
	CONSTRAINT "movie_genres_genre_movie_id_pk" PRIMARY KEY("genre","movie_id")
);
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."movies" (
	"movie_id" integer PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"year" integer,
	"genres" text NOT NULL,
	"title_search" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."ratings" (
	"user_id" integer NOT NULL,
	"movie_id" integer NOT NULL,
	"rating" real NOT NULL,
	"timestamp" bigint NOT NULL,
	CONSTRAINT "ratings_user_id_movie_id_pk" PRIMARY KEY("user_id","movie_id")
);
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."tags" (
	"user_id" integer NOT NULL,
	"movie_id" integer NOT NULL,
	"tag" text NOT NULL,
	"timestamp" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."user_rating_blobs" (
	"user_id" integer PRIMARY KEY NOT NULL,
	"count" integer NOT NULL,
	"movie_ids" "bytea" NOT NULL,
	"ratings" "bytea" NOT NULL,
	"timestamps" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE INDEX "movies_title_search_idx" ON "reelrank_catalogue"."movies" USING btree ("title_search");--> statement-breakpoint
CREATE INDEX "tags_movie_id_idx" ON "reelrank_catalogue"."tags" USING btree ("movie_id");