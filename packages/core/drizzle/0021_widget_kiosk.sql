CREATE TABLE "publishable_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"name" text NOT NULL,
	"key" text NOT NULL,
	"survey_ids" uuid[] NOT NULL,
	"allowed_origins" text[] NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "publishable_keys_key_unique" UNIQUE("key")
);
--> statement-breakpoint
ALTER TABLE "responses" DROP CONSTRAINT "responses_origin";--> statement-breakpoint
ALTER TABLE "locations" ADD COLUMN "kiosk" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
ALTER TABLE "surveys" ADD COLUMN "widget_anonymous" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "surveys" ADD COLUMN "widget_throttle_days" integer DEFAULT 90 NOT NULL;--> statement-breakpoint
ALTER TABLE "publishable_keys" ADD CONSTRAINT "publishable_keys_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "publishable_keys" ADD CONSTRAINT "publishable_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "publishable_keys_workspace" ON "publishable_keys" USING btree ("workspace_id");--> statement-breakpoint
CREATE UNIQUE INDEX "responses_idempotency" ON "responses" USING btree ("survey_id","idempotency_key") WHERE "responses"."idempotency_key" is not null;--> statement-breakpoint
ALTER TABLE "responses" ADD CONSTRAINT "responses_origin" CHECK (("responses"."invitation_id" is not null and "responses"."contact_id" is not null) or "responses"."location_id" is not null or "responses"."channel" = 'widget');--> statement-breakpoint
-- Publishable keys are tenant data like API keys' surveys: the same wall as 0012 (the collector finds a key
-- by its text as the owning role, before any workspace is known).
ALTER TABLE "publishable_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "publishable_keys_workspace" ON "publishable_keys" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
