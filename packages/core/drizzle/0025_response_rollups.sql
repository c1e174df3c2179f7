-- Rollups for the reads at a million answers: answers counted per survey, UTC hour and channel, one column per score.
-- Kept by deferred row triggers on responses, so every writer (record-answer, SMS, widget, kiosk, QR, erasure, retention,
-- cascades) updates them in its own transaction, and at its commit: a hot row (one survey, one hour) is locked only
-- while the commit flushes. rebuild_response_rollups() recounts them from the table (the backfill below; the benches).
CREATE TABLE "response_rollups" (
	"workspace_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"hour" timestamp with time zone NOT NULL,
	"channel" text NOT NULL,
	"n0" integer DEFAULT 0 NOT NULL,
	"n1" integer DEFAULT 0 NOT NULL,
	"n2" integer DEFAULT 0 NOT NULL,
	"n3" integer DEFAULT 0 NOT NULL,
	"n4" integer DEFAULT 0 NOT NULL,
	"n5" integer DEFAULT 0 NOT NULL,
	"n6" integer DEFAULT 0 NOT NULL,
	"n7" integer DEFAULT 0 NOT NULL,
	"n8" integer DEFAULT 0 NOT NULL,
	"n9" integer DEFAULT 0 NOT NULL,
	"n10" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "response_rollups_survey_id_hour_channel_pk" PRIMARY KEY("survey_id","hour","channel")
);
--> statement-breakpoint
ALTER TABLE "response_rollups" ADD CONSTRAINT "response_rollups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_rollups" ADD CONSTRAINT "response_rollups_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "response_rollups_workspace_hour" ON "response_rollups" USING btree ("workspace_id","hour");--> statement-breakpoint
ALTER TABLE "response_rollups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "response_rollups_workspace" ON "response_rollups" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);--> statement-breakpoint
-- Adds delta answers of one score to its hour's row. A survey deleted in the same transaction (its rollups went with it by
-- cascade) is skipped. A score outside 0–10 would be a bug in a writer: refused, so the rollups never disagree silently.
CREATE FUNCTION response_rollup_add(p_workspace uuid, p_survey uuid, p_at timestamptz, p_channel text, p_score integer, p_delta integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_score NOT BETWEEN 0 AND 10 THEN
    RAISE EXCEPTION 'response_rollups count scores 0-10, not %', p_score;
  END IF;
  INSERT INTO response_rollups AS r ("workspace_id", "survey_id", "hour", "channel", "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10")
    SELECT p_workspace, p_survey, date_trunc('hour', p_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', p_channel, CASE WHEN p_score = 0 THEN p_delta ELSE 0 END, CASE WHEN p_score = 1 THEN p_delta ELSE 0 END, CASE WHEN p_score = 2 THEN p_delta ELSE 0 END, CASE WHEN p_score = 3 THEN p_delta ELSE 0 END, CASE WHEN p_score = 4 THEN p_delta ELSE 0 END, CASE WHEN p_score = 5 THEN p_delta ELSE 0 END, CASE WHEN p_score = 6 THEN p_delta ELSE 0 END, CASE WHEN p_score = 7 THEN p_delta ELSE 0 END, CASE WHEN p_score = 8 THEN p_delta ELSE 0 END, CASE WHEN p_score = 9 THEN p_delta ELSE 0 END, CASE WHEN p_score = 10 THEN p_delta ELSE 0 END
    WHERE EXISTS (SELECT 1 FROM surveys WHERE id = p_survey)
  ON CONFLICT ("survey_id", "hour", "channel") DO UPDATE SET "n0" = r."n0" + excluded."n0", "n1" = r."n1" + excluded."n1", "n2" = r."n2" + excluded."n2", "n3" = r."n3" + excluded."n3", "n4" = r."n4" + excluded."n4", "n5" = r."n5" + excluded."n5", "n6" = r."n6" + excluded."n6", "n7" = r."n7" + excluded."n7", "n8" = r."n8" + excluded."n8", "n9" = r."n9" + excluded."n9", "n10" = r."n10" + excluded."n10";
END $$;--> statement-breakpoint
CREATE FUNCTION response_rollups_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM response_rollup_add(OLD.workspace_id, OLD.survey_id, OLD.created_at, OLD.channel, OLD.score, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM response_rollup_add(NEW.workspace_id, NEW.survey_id, NEW.created_at, NEW.channel, NEW.score, 1);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "responses_rollup_insert" AFTER INSERT ON "responses"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION response_rollups_track();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "responses_rollup_delete" AFTER DELETE ON "responses"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION response_rollups_track();--> statement-breakpoint
-- Only an edit of what is counted (an answer's score; the rest never changes today, but the rollups follow if it does).
CREATE CONSTRAINT TRIGGER "responses_rollup_update" AFTER UPDATE ON "responses"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.score IS DISTINCT FROM NEW.score OR OLD.channel IS DISTINCT FROM NEW.channel
    OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.survey_id IS DISTINCT FROM NEW.survey_id
    OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id)
  EXECUTE FUNCTION response_rollups_track();--> statement-breakpoint
-- Recounts the rollups from responses (all, or one survey's): the backfill at upgrade, and after a bulk load with triggers off.
CREATE FUNCTION rebuild_response_rollups(p_survey uuid DEFAULT NULL) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM response_rollups WHERE p_survey IS NULL OR survey_id = p_survey;
  INSERT INTO response_rollups ("workspace_id", "survey_id", "hour", "channel", "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10")
    SELECT workspace_id, survey_id, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', channel,
      count(*) FILTER (WHERE score = 0), count(*) FILTER (WHERE score = 1), count(*) FILTER (WHERE score = 2), count(*) FILTER (WHERE score = 3), count(*) FILTER (WHERE score = 4), count(*) FILTER (WHERE score = 5), count(*) FILTER (WHERE score = 6), count(*) FILTER (WHERE score = 7), count(*) FILTER (WHERE score = 8), count(*) FILTER (WHERE score = 9), count(*) FILTER (WHERE score = 10)
    FROM responses WHERE p_survey IS NULL OR survey_id = p_survey
    GROUP BY 1, 2, 3, 4;
END $$;--> statement-breakpoint
LOCK TABLE "responses" IN SHARE MODE;--> statement-breakpoint
SELECT rebuild_response_rollups();
