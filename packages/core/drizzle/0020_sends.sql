-- List sends (a CSV of contacts → the planner) and their rows' outcomes; invitations say which send made them.
CREATE TABLE "send_rows" (
	"send_id" uuid NOT NULL,
	"line" integer NOT NULL,
	"workspace_id" uuid NOT NULL,
	"external_id" text,
	"email" text,
	"phone" text,
	"name" text,
	"locale" text,
	"timezone" text,
	"properties" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"outcome" text DEFAULT 'pending' NOT NULL,
	"reason" text,
	"detail" jsonb,
	"contact_id" uuid,
	"invitation_id" uuid,
	CONSTRAINT "send_rows_send_id_line_pk" PRIMARY KEY("send_id","line")
);
--> statement-breakpoint
CREATE TABLE "sends" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"channels" text[] NOT NULL,
	"send_at" timestamp with time zone,
	"send_window" jsonb,
	"throttle_days" integer DEFAULT 30 NOT NULL,
	"sample_rate" double precision DEFAULT 1 NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"state" text DEFAULT 'uploading' NOT NULL,
	"file_name" text,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"planned" integer DEFAULT 0 NOT NULL,
	"invited" integer DEFAULT 0 NOT NULL,
	"bad" integer DEFAULT 0 NOT NULL,
	"skipped" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "send_id" uuid;--> statement-breakpoint
ALTER TABLE "send_rows" ADD CONSTRAINT "send_rows_send_id_sends_id_fk" FOREIGN KEY ("send_id") REFERENCES "public"."sends"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "send_rows" ADD CONSTRAINT "send_rows_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "send_rows" ADD CONSTRAINT "send_rows_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "send_rows" ADD CONSTRAINT "send_rows_invitation_id_invitations_id_fk" FOREIGN KEY ("invitation_id") REFERENCES "public"."invitations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sends" ADD CONSTRAINT "sends_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sends" ADD CONSTRAINT "sends_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "send_rows_outcome" ON "send_rows" USING btree ("send_id","outcome","line");--> statement-breakpoint
CREATE INDEX "sends_workspace" ON "sends" USING btree ("workspace_id","created_at");--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_send_id_sends_id_fk" FOREIGN KEY ("send_id") REFERENCES "public"."sends"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_send_dedupe" ON "invitations" USING btree ("send_id","dedupe_value") WHERE "invitations"."send_id" is not null and "invitations"."dedupe_value" is not null;
--> statement-breakpoint
ALTER TABLE "sends" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "sends_workspace" ON "sends" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "send_rows" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "send_rows_workspace" ON "send_rows" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
