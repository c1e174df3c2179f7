-- Inbound connectors (Shopify, WooCommerce, Zendesk, any JSON), their deliveries, and cases mirrored into Zendesk; tenant data behind the same wall as 0012.
CREATE TABLE "case_tickets" (
	"case_id" uuid PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"connector_id" uuid NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"ticket_id" text,
	"ticket_created_at" timestamp with time zone,
	"ticket_solved_at" timestamp with time zone,
	"comment_due_at" timestamp with time zone,
	"comment_posted_at" timestamp with time zone,
	"next_attempt_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connector_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workspace_id" uuid NOT NULL,
	"connector_id" uuid NOT NULL,
	"delivery_id" text NOT NULL,
	"topic" text,
	"outcome" text NOT NULL,
	"event_id" text,
	"reason" text,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "connectors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workspace_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"secret_sealed" text,
	"secret_hint" text,
	"json" jsonb,
	"zendesk_api" jsonb,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_tickets" ADD CONSTRAINT "case_tickets_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_tickets" ADD CONSTRAINT "case_tickets_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_tickets" ADD CONSTRAINT "case_tickets_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_deliveries" ADD CONSTRAINT "connector_deliveries_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connector_deliveries" ADD CONSTRAINT "connector_deliveries_connector_id_connectors_id_fk" FOREIGN KEY ("connector_id") REFERENCES "public"."connectors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connectors" ADD CONSTRAINT "connectors_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_tickets_due" ON "case_tickets" USING btree ("next_attempt_at") WHERE "case_tickets"."next_attempt_at" is not null;--> statement-breakpoint
CREATE INDEX "case_tickets_ticket" ON "case_tickets" USING btree ("connector_id","ticket_id");--> statement-breakpoint
CREATE UNIQUE INDEX "connector_deliveries_delivery" ON "connector_deliveries" USING btree ("connector_id","delivery_id");--> statement-breakpoint
CREATE INDEX "connector_deliveries_recent" ON "connector_deliveries" USING btree ("connector_id","received_at");--> statement-breakpoint
CREATE INDEX "connectors_workspace" ON "connectors" USING btree ("workspace_id","created_at");--> statement-breakpoint
ALTER TABLE "connectors" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "connectors_workspace" ON "connectors" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "connector_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "connector_deliveries_workspace" ON "connector_deliveries" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "case_tickets" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "case_tickets_workspace" ON "case_tickets" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
