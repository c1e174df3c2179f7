ALTER TABLE "responses" DROP CONSTRAINT "responses_origin";--> statement-breakpoint
ALTER TABLE "referral_conversions" DROP CONSTRAINT "referral_conversions_event_id_events_id_fk";
--> statement-breakpoint
ALTER TABLE "referral_conversions" ALTER COLUMN "event_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "stripped_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "anonymized_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "retention_months" integer;--> statement-breakpoint
ALTER TABLE "referral_conversions" ADD CONSTRAINT "referral_conversions_event_id_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."events"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "events_workspace_received" ON "events" USING btree ("workspace_id","received_at");--> statement-breakpoint
CREATE INDEX "invitations_to_strip" ON "invitations" USING btree ("workspace_id","created_at") WHERE "invitations"."stripped_at" is null;--> statement-breakpoint
CREATE INDEX "notifications_workspace_created" ON "notifications" USING btree ("workspace_id","created_at");--> statement-breakpoint
CREATE INDEX "responses_event" ON "responses" USING btree ("event_id") WHERE "responses"."event_id" is not null;--> statement-breakpoint
CREATE INDEX "responses_to_anonymize" ON "responses" USING btree ("workspace_id","created_at") WHERE "responses"."anonymized_at" is null;--> statement-breakpoint
ALTER TABLE "responses" ADD CONSTRAINT "responses_origin" CHECK (("responses"."invitation_id" is not null and "responses"."contact_id" is not null) or "responses"."location_id" is not null or "responses"."channel" = 'widget' or "responses"."anonymized_at" is not null);