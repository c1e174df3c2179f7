-- Property rollups: for the event properties a survey names in rollup_properties (store, address.city), answers counted per
-- survey, property, value and UTC hour, one column per score, so groupBy=properties.<path> and the drivers read hours instead of
-- every answer. Kept like response_rollups (migration 0025) by deferred row triggers on responses, for every writer; an edit of
-- properties (erasure and retention clear them) moves the answer to the value null.
CREATE TABLE "response_property_rollups" (
	"workspace_id" uuid NOT NULL,
	"survey_id" uuid NOT NULL,
	"property" text NOT NULL,
	"value" text,
	"hour" timestamp with time zone NOT NULL,
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
	CONSTRAINT "response_property_rollups_key" UNIQUE NULLS NOT DISTINCT("survey_id","property","hour","value")
);
--> statement-breakpoint
ALTER TABLE "surveys" ADD COLUMN "rollup_properties" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "response_property_rollups" ADD CONSTRAINT "response_property_rollups_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "response_property_rollups" ADD CONSTRAINT "response_property_rollups_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;;--> statement-breakpoint
ALTER TABLE "response_property_rollups" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "response_property_rollups_workspace" ON "response_property_rollups" TO surveyflow_app
  USING ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid)
  WITH CHECK ("workspace_id" = nullif(current_setting('app.workspace_id', true), '')::uuid);--> statement-breakpoint
-- Adds delta of one answer to its hour's row of every property its survey rolls up. The survey row is read FOR KEY SHARE: a
-- transaction that changes the list (setSurveyRollupProperties) holds it FOR UPDATE while it recounts, so an answer written,
-- edited or deleted meanwhile is either in that recount or, waiting here, counted afterwards against the new list — never
-- both, never neither. (An insert already holds that lock from its foreign key check.) A deleted survey is skipped.
CREATE FUNCTION response_property_rollup_add(r responses, p_delta integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  wanted text[];
BEGIN
  SELECT s.rollup_properties INTO wanted FROM surveys s WHERE s.id = r.survey_id FOR KEY SHARE;
  IF coalesce(cardinality(wanted), 0) = 0 THEN
    RETURN;
  END IF;
  INSERT INTO response_property_rollups AS t ("workspace_id", "survey_id", "property", "value", "hour", "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10")
    SELECT r.workspace_id, r.survey_id, p.path, r.properties #>> string_to_array(p.path, '.'),
      date_trunc('hour', r.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', CASE WHEN r.score = 0 THEN p_delta ELSE 0 END, CASE WHEN r.score = 1 THEN p_delta ELSE 0 END, CASE WHEN r.score = 2 THEN p_delta ELSE 0 END, CASE WHEN r.score = 3 THEN p_delta ELSE 0 END, CASE WHEN r.score = 4 THEN p_delta ELSE 0 END, CASE WHEN r.score = 5 THEN p_delta ELSE 0 END, CASE WHEN r.score = 6 THEN p_delta ELSE 0 END, CASE WHEN r.score = 7 THEN p_delta ELSE 0 END, CASE WHEN r.score = 8 THEN p_delta ELSE 0 END, CASE WHEN r.score = 9 THEN p_delta ELSE 0 END, CASE WHEN r.score = 10 THEN p_delta ELSE 0 END
    FROM (SELECT DISTINCT unnest(wanted) AS path) p
  ON CONFLICT ("survey_id", "property", "hour", "value") DO UPDATE SET "n0" = t."n0" + excluded."n0", "n1" = t."n1" + excluded."n1", "n2" = t."n2" + excluded."n2", "n3" = t."n3" + excluded."n3", "n4" = t."n4" + excluded."n4", "n5" = t."n5" + excluded."n5", "n6" = t."n6" + excluded."n6", "n7" = t."n7" + excluded."n7", "n8" = t."n8" + excluded."n8", "n9" = t."n9" + excluded."n9", "n10" = t."n10" + excluded."n10";
END $$;--> statement-breakpoint
CREATE FUNCTION response_property_rollups_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM response_property_rollup_add(OLD, -1);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM response_property_rollup_add(NEW, 1);
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "responses_property_rollup_insert" AFTER INSERT ON "responses"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION response_property_rollups_track();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "responses_property_rollup_delete" AFTER DELETE ON "responses"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION response_property_rollups_track();--> statement-breakpoint
CREATE CONSTRAINT TRIGGER "responses_property_rollup_update" AFTER UPDATE ON "responses"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.score IS DISTINCT FROM NEW.score OR OLD.properties IS DISTINCT FROM NEW.properties
    OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.survey_id IS DISTINCT FROM NEW.survey_id
    OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id)
  EXECUTE FUNCTION response_property_rollups_track();--> statement-breakpoint
-- Recounts one survey's rollups of one property from its answers (a property it starts rolling up; the benches). The caller
-- holds the survey row FOR UPDATE (see response_property_rollup_add).
CREATE FUNCTION rebuild_response_property_rollups(p_survey uuid, p_property text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM response_property_rollups WHERE survey_id = p_survey AND property = p_property;
  INSERT INTO response_property_rollups ("workspace_id", "survey_id", "property", "value", "hour", "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10")
    SELECT r.workspace_id, r.survey_id, p_property, r.properties #>> string_to_array(p_property, '.'),
      date_trunc('hour', r.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*) FILTER (WHERE r.score = 0), count(*) FILTER (WHERE r.score = 1), count(*) FILTER (WHERE r.score = 2), count(*) FILTER (WHERE r.score = 3), count(*) FILTER (WHERE r.score = 4), count(*) FILTER (WHERE r.score = 5), count(*) FILTER (WHERE r.score = 6), count(*) FILTER (WHERE r.score = 7), count(*) FILTER (WHERE r.score = 8), count(*) FILTER (WHERE r.score = 9), count(*) FILTER (WHERE r.score = 10)
    FROM responses r WHERE r.survey_id = p_survey
    GROUP BY 1, 2, 3, 4, 5;
END $$;
