CREATE TABLE "locations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"name" text NOT NULL,
	"code" text NOT NULL,
	"device_limit_hours" integer DEFAULT 24 NOT NULL,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "locations_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "sms_statuses" (
	"message_sid" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"error_code" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "responses" ALTER COLUMN "invitation_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "responses" ALTER COLUMN "contact_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "email_bounced_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "segments" integer;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "location_id" uuid;--> statement-breakpoint
ALTER TABLE "responses" ADD COLUMN "device_hash" text;--> statement-breakpoint
ALTER TABLE "locations" ADD CONSTRAINT "locations_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "locations" ADD CONSTRAINT "locations_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "locations_workspace" ON "locations" USING btree ("workspace_id");--> statement-breakpoint
ALTER TABLE "responses" ADD CONSTRAINT "responses_location_id_locations_id_fk" FOREIGN KEY ("location_id") REFERENCES "public"."locations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "contacts_phone" ON "contacts" USING btree ("phone") WHERE "contacts"."phone" is not null;--> statement-breakpoint
CREATE INDEX "invitations_provider_message" ON "invitations" USING btree ("provider_message_id");--> statement-breakpoint
CREATE INDEX "responses_location_device" ON "responses" USING btree ("location_id","device_hash","created_at");--> statement-breakpoint
ALTER TABLE "responses" ADD CONSTRAINT "responses_origin" CHECK (("responses"."invitation_id" is not null and "responses"."contact_id" is not null) or "responses"."location_id" is not null);