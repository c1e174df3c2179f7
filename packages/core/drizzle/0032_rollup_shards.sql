-- Striped rollup rows. Every answer's commit added to the one row of its survey, hour and channel, so concurrent answers to
-- one survey in one hour waited for each other's commit on that row (16 writers: 0.45 of the rate without the triggers).
-- Now a key may have several rows (shard 0, 1, …): an answer adds to the first row no other transaction holds (FOR UPDATE
-- SKIP LOCKED), or to a new one when every row is held, so writers never queue behind a commit. Readers already sum rows
-- per survey, hour and channel; a quiet hour keeps one row, a busy one as many as answers were committing at once.
-- One trigger now keeps both rollups (one call per answer, one look at its survey): 0031's property triggers go.
ALTER TABLE "response_rollups" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "response_rollups" DROP CONSTRAINT "response_rollups_survey_id_hour_channel_pk";--> statement-breakpoint
ALTER TABLE "response_rollups" ADD CONSTRAINT "response_rollups_survey_id_hour_channel_shard_pk" PRIMARY KEY("survey_id","hour","channel","shard");--> statement-breakpoint
ALTER TABLE "response_property_rollups" ADD COLUMN "shard" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "response_property_rollups" DROP CONSTRAINT "response_property_rollups_key";--> statement-breakpoint
ALTER TABLE "response_property_rollups" ADD CONSTRAINT "response_property_rollups_key" UNIQUE NULLS NOT DISTINCT("survey_id","property","hour","value","shard");--> statement-breakpoint
DROP TRIGGER "responses_property_rollup_insert" ON "responses";--> statement-breakpoint
DROP TRIGGER "responses_property_rollup_update" ON "responses";--> statement-breakpoint
DROP TRIGGER "responses_property_rollup_delete" ON "responses";--> statement-breakpoint
DROP FUNCTION response_property_rollups_track();--> statement-breakpoint
DROP FUNCTION response_property_rollup_add(responses, integer);--> statement-breakpoint
DROP TRIGGER "responses_rollup_update" ON "responses";--> statement-breakpoint
-- Adds delta of one answer to its rows: its survey, hour and channel in response_rollups, and each property its survey rolls
-- up in response_property_rollups. Each row is the first of its key no other transaction holds, else a new one.
-- The survey row is read FOR KEY SHARE on an edit or delete: a transaction changing rollup_properties holds it FOR UPDATE
-- while it recounts (updateSurvey, migration 0031), so an answer changed meanwhile is counted once, by the
-- recount or after it. An insert holds that lock already (its foreign key check took it), and asking again would cost a
-- multixact lookup beside every answer committing at once. A deleted survey (its rollups went by cascade) is skipped.
-- A score outside 0–10 would be a bug in a writer: refused, so the rollups never disagree silently.
CREATE FUNCTION response_rollup_row(r responses, p_delta integer, p_insert boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  wanted text[];
  v_path text;
  v_value text;
  v_hour timestamptz := date_trunc('hour', r.created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
BEGIN
  IF r.score NOT BETWEEN 0 AND 10 THEN
    RAISE EXCEPTION 'response_rollups count scores 0-10, not %', r.score;
  END IF;
  IF p_insert THEN
    SELECT s.rollup_properties INTO wanted FROM surveys s WHERE s.id = r.survey_id;
  ELSE
    SELECT s.rollup_properties INTO wanted FROM surveys s WHERE s.id = r.survey_id FOR KEY SHARE;
  END IF;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- One statement: the row found by its ctid once locked.
  UPDATE response_rollups SET "n0" = "n0" + CASE WHEN r.score = 0 THEN p_delta ELSE 0 END, "n1" = "n1" + CASE WHEN r.score = 1 THEN p_delta ELSE 0 END, "n2" = "n2" + CASE WHEN r.score = 2 THEN p_delta ELSE 0 END, "n3" = "n3" + CASE WHEN r.score = 3 THEN p_delta ELSE 0 END, "n4" = "n4" + CASE WHEN r.score = 4 THEN p_delta ELSE 0 END, "n5" = "n5" + CASE WHEN r.score = 5 THEN p_delta ELSE 0 END, "n6" = "n6" + CASE WHEN r.score = 6 THEN p_delta ELSE 0 END, "n7" = "n7" + CASE WHEN r.score = 7 THEN p_delta ELSE 0 END, "n8" = "n8" + CASE WHEN r.score = 8 THEN p_delta ELSE 0 END, "n9" = "n9" + CASE WHEN r.score = 9 THEN p_delta ELSE 0 END, "n10" = "n10" + CASE WHEN r.score = 10 THEN p_delta ELSE 0 END
    WHERE ctid = (SELECT ctid FROM response_rollups
      WHERE survey_id = r.survey_id AND hour = v_hour AND channel = r.channel
      ORDER BY shard LIMIT 1 FOR UPDATE SKIP LOCKED);
  IF NOT FOUND THEN
    -- No row yet, or every row held by a committing answer: a new row past the last (two at once may pick the same one:
    -- the second waits for the first and adds to it).
    INSERT INTO response_rollups AS t ("workspace_id", "survey_id", "hour", "channel", "shard", "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10")
      SELECT r.workspace_id, r.survey_id, v_hour, r.channel,
        coalesce((SELECT max(shard) + 1 FROM response_rollups
          WHERE survey_id = r.survey_id AND hour = v_hour AND channel = r.channel), 0),
        CASE WHEN r.score = 0 THEN p_delta ELSE 0 END, CASE WHEN r.score = 1 THEN p_delta ELSE 0 END, CASE WHEN r.score = 2 THEN p_delta ELSE 0 END, CASE WHEN r.score = 3 THEN p_delta ELSE 0 END, CASE WHEN r.score = 4 THEN p_delta ELSE 0 END, CASE WHEN r.score = 5 THEN p_delta ELSE 0 END, CASE WHEN r.score = 6 THEN p_delta ELSE 0 END, CASE WHEN r.score = 7 THEN p_delta ELSE 0 END, CASE WHEN r.score = 8 THEN p_delta ELSE 0 END, CASE WHEN r.score = 9 THEN p_delta ELSE 0 END, CASE WHEN r.score = 10 THEN p_delta ELSE 0 END
    ON CONFLICT ("survey_id", "hour", "channel", "shard") DO UPDATE SET "n0" = t."n0" + excluded."n0", "n1" = t."n1" + excluded."n1", "n2" = t."n2" + excluded."n2", "n3" = t."n3" + excluded."n3", "n4" = t."n4" + excluded."n4", "n5" = t."n5" + excluded."n5", "n6" = t."n6" + excluded."n6", "n7" = t."n7" + excluded."n7", "n8" = t."n8" + excluded."n8", "n9" = t."n9" + excluded."n9", "n10" = t."n10" + excluded."n10";
  END IF;
  FOR v_path IN SELECT DISTINCT unnest(wanted) LOOP
    v_value := r.properties #>> string_to_array(v_path, '.');
    UPDATE response_property_rollups SET "n0" = "n0" + CASE WHEN r.score = 0 THEN p_delta ELSE 0 END, "n1" = "n1" + CASE WHEN r.score = 1 THEN p_delta ELSE 0 END, "n2" = "n2" + CASE WHEN r.score = 2 THEN p_delta ELSE 0 END, "n3" = "n3" + CASE WHEN r.score = 3 THEN p_delta ELSE 0 END, "n4" = "n4" + CASE WHEN r.score = 4 THEN p_delta ELSE 0 END, "n5" = "n5" + CASE WHEN r.score = 5 THEN p_delta ELSE 0 END, "n6" = "n6" + CASE WHEN r.score = 6 THEN p_delta ELSE 0 END, "n7" = "n7" + CASE WHEN r.score = 7 THEN p_delta ELSE 0 END, "n8" = "n8" + CASE WHEN r.score = 8 THEN p_delta ELSE 0 END, "n9" = "n9" + CASE WHEN r.score = 9 THEN p_delta ELSE 0 END, "n10" = "n10" + CASE WHEN r.score = 10 THEN p_delta ELSE 0 END
      WHERE ctid = (SELECT ctid FROM response_property_rollups
        WHERE survey_id = r.survey_id AND property = v_path AND hour = v_hour AND value IS NOT DISTINCT FROM v_value
        ORDER BY shard LIMIT 1 FOR UPDATE SKIP LOCKED);
    IF NOT FOUND THEN
      INSERT INTO response_property_rollups AS t ("workspace_id", "survey_id", "property", "value", "hour", "shard", "n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8", "n9", "n10")
        SELECT r.workspace_id, r.survey_id, v_path, v_value, v_hour,
          coalesce((SELECT max(shard) + 1 FROM response_property_rollups
            WHERE survey_id = r.survey_id AND property = v_path AND hour = v_hour AND value IS NOT DISTINCT FROM v_value), 0),
          CASE WHEN r.score = 0 THEN p_delta ELSE 0 END, CASE WHEN r.score = 1 THEN p_delta ELSE 0 END, CASE WHEN r.score = 2 THEN p_delta ELSE 0 END, CASE WHEN r.score = 3 THEN p_delta ELSE 0 END, CASE WHEN r.score = 4 THEN p_delta ELSE 0 END, CASE WHEN r.score = 5 THEN p_delta ELSE 0 END, CASE WHEN r.score = 6 THEN p_delta ELSE 0 END, CASE WHEN r.score = 7 THEN p_delta ELSE 0 END, CASE WHEN r.score = 8 THEN p_delta ELSE 0 END, CASE WHEN r.score = 9 THEN p_delta ELSE 0 END, CASE WHEN r.score = 10 THEN p_delta ELSE 0 END
      ON CONFLICT ("survey_id", "property", "hour", "value", "shard") DO UPDATE SET "n0" = t."n0" + excluded."n0", "n1" = t."n1" + excluded."n1", "n2" = t."n2" + excluded."n2", "n3" = t."n3" + excluded."n3", "n4" = t."n4" + excluded."n4", "n5" = t."n5" + excluded."n5", "n6" = t."n6" + excluded."n6", "n7" = t."n7" + excluded."n7", "n8" = t."n8" + excluded."n8", "n9" = t."n9" + excluded."n9", "n10" = t."n10" + excluded."n10";
    END IF;
  END LOOP;
END $$;--> statement-breakpoint
CREATE OR REPLACE FUNCTION response_rollups_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM response_rollup_row(OLD, -1, false);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM response_rollup_row(NEW, 1, TG_OP = 'INSERT');
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
DROP FUNCTION response_rollup_add(uuid, uuid, timestamptz, text, integer, integer);--> statement-breakpoint
-- An edit of what is counted: score, channel, time, survey, or properties (erasure and retention clear them).
CREATE CONSTRAINT TRIGGER "responses_rollup_update" AFTER UPDATE ON "responses"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
  WHEN (OLD.score IS DISTINCT FROM NEW.score OR OLD.channel IS DISTINCT FROM NEW.channel
    OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.survey_id IS DISTINCT FROM NEW.survey_id
    OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id OR OLD.properties IS DISTINCT FROM NEW.properties)
  EXECUTE FUNCTION response_rollups_track();
