-- The report tables (weekly digests, drop checks and alerts) are tenant data too: the same wall as 0012.
ALTER TABLE "digests" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "digests_workspace" ON "digests" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "drop_checks" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "drop_checks_workspace" ON "drop_checks" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
--> statement-breakpoint
ALTER TABLE "drop_alerts" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "drop_alerts_workspace" ON "drop_alerts" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);
