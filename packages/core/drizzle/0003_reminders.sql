ALTER TABLE "invitations" ADD COLUMN "token_sealed" text;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "reminders_sent" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "next_reminder_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "last_reminder_message_id" text;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "reminder_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "triggers" ADD COLUMN "reminder_after_days" integer DEFAULT 3 NOT NULL;--> statement-breakpoint
CREATE INDEX "invitations_reminders_due" ON "invitations" USING btree ("next_reminder_at") WHERE "invitations"."next_reminder_at" is not null;