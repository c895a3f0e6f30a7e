CREATE TABLE "reelrank_catalogue"."genome_scores" (
	"movie_id" integer NOT NULL,
	"tag_id" integer NOT NULL,
	"relevance" real NOT NULL,
	CONSTRAINT "genome_scores_movie_id_tag_id_pk" PRIMARY KEY("movie_id","tag_id")
);
--> statement-breakpoint
CREATE TABLE "reelrank_catalogue"."genome_tags" (
	"tag_id" integer PRIMARY KEY NOT NULL,
	"tag" text NOT NULL
);
