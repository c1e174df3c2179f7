ALTER TABLE "invitations" ADD COLUMN "dedupe_value" text;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "filter" jsonb;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "send_window" jsonb;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "sample_rate" double precision DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "global_contact_days" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_trigger_dedupe" ON "invitations" USING btree ("trigger_id","dedupe_value") WHERE "invitations"."dedupe_value" is not null;