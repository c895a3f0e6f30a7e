CREATE TABLE "catalogue_movies" (
	"movie_id" bigint PRIMARY KEY NOT NULL,
	"revision" bigint NOT NULL,
	"created" integer NOT NULL,
	"fields" text NOT NULL,
	"hidden" integer NOT NULL,
	"source" text NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "catalogue_movies_revision" UNIQUE("revision")
);
