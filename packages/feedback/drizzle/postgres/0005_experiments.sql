CREATE TABLE "experiments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "experiments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"name" text NOT NULL,
	"control_version" text NOT NULL,
	"challenger_version" text NOT NULL,
	"share" double precision NOT NULL,
	"seed" bigint NOT NULL,
	"status" text NOT NULL,
	"started_at" bigint NOT NULL,
	"ended_at" bigint,
	CONSTRAINT "experiments_status_check" CHECK ("experiments"."status" IN ('running', 'promoted', 'dropped')),
	CONSTRAINT "experiments_share_check" CHECK ("experiments"."share" > 0 AND "experiments"."share" < 1)
);
--> statement-breakpoint
CREATE UNIQUE INDEX "experiments_one_running" ON "experiments" USING btree ("status") WHERE "experiments"."status" = 'running';