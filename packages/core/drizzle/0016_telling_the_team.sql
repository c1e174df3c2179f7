ALTER TABLE "notifications" ADD COLUMN "attachments" jsonb;--> statement-breakpoint
CREATE TABLE "digests" (
	"workspace_id" uuid NOT NULL,
	"week" text NOT NULL,
	"recipients" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "digests_workspace_id_week_pk" PRIMARY KEY("workspace_id","week")
);
--> statement-breakpoint
CREATE TABLE "drop_checks" (
	"workspace_id" uuid NOT NULL,
	"day" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drop_checks_workspace_id_day_pk" PRIMARY KEY("workspace_id","day")
);
--> statement-breakpoint
CREATE TABLE "drop_alerts" (
	"survey_id" uuid NOT NULL,
	"workspace_id" uuid NOT NULL,
	"week" text NOT NULL,
	"detail" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drop_alerts_survey_id_week_pk" PRIMARY KEY("survey_id","week")
);
--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drop_checks" ADD CONSTRAINT "drop_checks_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drop_alerts" ADD CONSTRAINT "drop_alerts_survey_id_surveys_id_fk" FOREIGN KEY ("survey_id") REFERENCES "public"."surveys"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drop_alerts" ADD CONSTRAINT "drop_alerts_workspace_id_workspaces_id_fk" FOREIGN KEY ("workspace_id") REFERENCES "public"."workspaces"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- CSAT and CES surveys made with the old defaults asked their passives for a 10: give them the texts of their own scale (untouched if the operator changed a word).
UPDATE "surveys" SET "actions" = (
	SELECT jsonb_agg(CASE WHEN a->>'type' = 'message' AND a->'subject' = '{"en":"What would make it a 10?","ru":"Что сделало бы оценку 10?","pl":"Co sprawiłoby, że dasz 10?"}'::jsonb AND a->'body' = '{"en":"Thank you for your answer, {name}. What is the one thing {company} could do to make it a 10? Just reply: your answer goes straight to our team.","ru":"Спасибо за ответ, {name}. Что одно {company} могла бы сделать, чтобы вы поставили 10? Просто ответьте: ваш ответ попадёт прямо к нашей команде.","pl":"Dziękujemy za odpowiedź, {name}. Jedna rzecz, którą {company} mogłaby zrobić, by była to 10? Po prostu odpowiedz: Twoja odpowiedź trafi prosto do naszego zespołu."}'::jsonb
		THEN a || jsonb_build_object('subject', '{"en":"What would make it a 5?","ru":"Что сделало бы оценку 5?","pl":"Co sprawiłoby, że dasz 5?"}'::jsonb, 'body', '{"en":"Thank you for your answer, {name}. What is the one thing {company} could do to make it a 5 next time? Just reply: your answer goes straight to our team.","ru":"Спасибо за ответ, {name}. Что одно {company} могла бы сделать, чтобы в следующий раз вы поставили 5? Просто ответьте: ваш ответ попадёт прямо к нашей команде.","pl":"Dziękujemy za odpowiedź, {name}. Jedna rzecz, którą {company} mogłaby zrobić, by następnym razem była to 5? Po prostu odpowiedz: Twoja odpowiedź trafi prosto do naszego zespołu."}'::jsonb) ELSE a END ORDER BY i)
	FROM jsonb_array_elements("actions") WITH ORDINALITY AS t(a, i)
) WHERE "kind" = 'csat' AND jsonb_array_length("actions") > 0;--> statement-breakpoint
UPDATE "surveys" SET "actions" = (
	SELECT jsonb_agg(CASE WHEN a->>'type' = 'message' AND a->'subject' = '{"en":"What would make it a 10?","ru":"Что сделало бы оценку 10?","pl":"Co sprawiłoby, że dasz 10?"}'::jsonb AND a->'body' = '{"en":"Thank you for your answer, {name}. What is the one thing {company} could do to make it a 10? Just reply: your answer goes straight to our team.","ru":"Спасибо за ответ, {name}. Что одно {company} могла бы сделать, чтобы вы поставили 10? Просто ответьте: ваш ответ попадёт прямо к нашей команде.","pl":"Dziękujemy za odpowiedź, {name}. Jedna rzecz, którą {company} mogłaby zrobić, by była to 10? Po prostu odpowiedz: Twoja odpowiedź trafi prosto do naszego zespołu."}'::jsonb
		THEN a || jsonb_build_object('subject', '{"en":"What would have made it easier?","ru":"Что сделало бы это проще?","pl":"Co ułatwiłoby Ci sprawę?"}'::jsonb, 'body', '{"en":"Thank you for your answer, {name}. What is the one thing {company} could do to make it easier for you? Just reply: your answer goes straight to our team.","ru":"Спасибо за ответ, {name}. Что одно {company} могла бы сделать, чтобы вам было проще? Просто ответьте: ваш ответ попадёт прямо к нашей команде.","pl":"Dziękujemy za odpowiedź, {name}. Jedna rzecz, którą {company} mogłaby zrobić, by było Ci łatwiej? Po prostu odpowiedz: Twoja odpowiedź trafi prosto do naszego zespołu."}'::jsonb) ELSE a END ORDER BY i)
	FROM jsonb_array_elements("actions") WITH ORDINALITY AS t(a, i)
) WHERE "kind" = 'ces' AND jsonb_array_length("actions") > 0;
