-- Row-level security, the second wall behind every query's own workspace filter (invariant 8).
-- Request-scoped work runs as surveyflow_app inside a transaction that sets app.workspace_id
-- (packages/core/src/store/tenant.ts); the policies below let that role see and write only that
-- workspace's rows. The migrating role owns the tables and so bypasses RLS: system work across
-- workspaces (planning, sending, the due scanner, the reconciler, ingest) runs as it.
-- Identity tables (workspaces, api_keys, users, memberships, sessions, sign_in_links) are read
-- before a workspace is known and have no policy.
DO $$
BEGIN
  CREATE ROLE surveyflow_app NOLOGIN;
EXCEPTION WHEN duplicate_object THEN
  -- Roles are per cluster: another database of this server made it already.
  NULL;
END
$$;
--> statement-breakpoint
GRANT surveyflow_app TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO surveyflow_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO surveyflow_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO surveyflow_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO surveyflow_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO surveyflow_app;
--> statement-breakpoint
ALTER TABLE "contacts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "contacts_workspace" ON "contacts" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "events_workspace" ON "events" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "event_decisions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "event_decisions_workspace" ON "event_decisions" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "surveys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "surveys_workspace" ON "surveys" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "triggers" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "triggers_workspace" ON "triggers" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "invitations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "invitations_workspace" ON "invitations" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "locations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "locations_workspace" ON "locations" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "responses" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "responses_workspace" ON "responses" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "notifications" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "notifications_workspace" ON "notifications" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "cases" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "cases_workspace" ON "cases" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "referrals" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "referrals_workspace" ON "referrals" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "webhooks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "webhooks_workspace" ON "webhooks" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "audit_log" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "audit_log_workspace" ON "audit_log" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "case_events" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- No workspace column: a row belongs to the workspace of its case (itself under a policy).
CREATE POLICY "case_events_workspace" ON "case_events" TO surveyflow_app
  USING (EXISTS (SELECT 1 FROM "cases" p WHERE p."id" = "case_events"."case_id"))
  WITH CHECK (EXISTS (SELECT 1 FROM "cases" p WHERE p."id" = "case_events"."case_id"));
--> statement-breakpoint
ALTER TABLE "referral_clicks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- No workspace column: a row belongs to the workspace of its referral (itself under a policy).
CREATE POLICY "referral_clicks_workspace" ON "referral_clicks" TO surveyflow_app
  USING (EXISTS (SELECT 1 FROM "referrals" p WHERE p."id" = "referral_clicks"."referral_id"))
  WITH CHECK (EXISTS (SELECT 1 FROM "referrals" p WHERE p."id" = "referral_clicks"."referral_id"));
--> statement-breakpoint
ALTER TABLE "referral_conversions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- No workspace column: a row belongs to the workspace of its referral (itself under a policy).
CREATE POLICY "referral_conversions_workspace" ON "referral_conversions" TO surveyflow_app
  USING (EXISTS (SELECT 1 FROM "referrals" p WHERE p."id" = "referral_conversions"."referral_id"))
  WITH CHECK (EXISTS (SELECT 1 FROM "referrals" p WHERE p."id" = "referral_conversions"."referral_id"));
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- No workspace column: a row belongs to the workspace of its webhook (itself under a policy).
CREATE POLICY "webhook_deliveries_workspace" ON "webhook_deliveries" TO surveyflow_app
  USING (EXISTS (SELECT 1 FROM "webhooks" p WHERE p."id" = "webhook_deliveries"."webhook_id"))
  WITH CHECK (EXISTS (SELECT 1 FROM "webhooks" p WHERE p."id" = "webhook_deliveries"."webhook_id"));
--> statement-breakpoint
ALTER TABLE "webhook_attempts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
-- No workspace column: a row belongs to the workspace of its delivery (itself under a policy).
CREATE POLICY "webhook_attempts_workspace" ON "webhook_attempts" TO surveyflow_app
  USING (EXISTS (SELECT 1 FROM "webhook_deliveries" p WHERE p."id" = "webhook_attempts"."delivery_id"))
  WITH CHECK (EXISTS (SELECT 1 FROM "webhook_deliveries" p WHERE p."id" = "webhook_attempts"."delivery_id"));
