ALTER TABLE "invitations" ADD COLUMN "handed_over_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "interrupted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "invitations" ADD COLUMN "resent_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "handed_over_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "interrupted_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "invitations_sending" ON "invitations" USING btree ("claimed_at") WHERE "invitations"."status" = 'sending';--> statement-breakpoint
CREATE INDEX "notifications_sending" ON "notifications" USING btree ("claimed_at") WHERE "notifications"."status" = 'sending';--> statement-breakpoint
-- Claims in flight when this runs were made before hand-overs were recorded: treat them as handed over (ambiguous, never resent on their own).
UPDATE "invitations" SET "handed_over_at" = coalesce("claimed_at", now()), "claimed_at" = coalesce("claimed_at", now()) WHERE "status" = 'sending';--> statement-breakpoint
UPDATE "notifications" SET "claimed_at" = now(), "handed_over_at" = now() WHERE "status" = 'sending';
