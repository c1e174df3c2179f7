ALTER TABLE "invitations" ADD COLUMN "reminder_claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "reminder_handed_over_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "invitations_reminder_claims" ON "invitations" USING btree ("reminder_claimed_at") WHERE "invitations"."reminder_claimed_at" is not null;