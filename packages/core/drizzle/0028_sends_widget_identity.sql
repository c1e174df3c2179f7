ALTER TABLE "publishable_keys" ADD COLUMN "identity_secret_sealed" text;--> statement-breakpoint
ALTER TABLE "publishable_keys" ADD COLUMN "require_identity" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "send_rows_invitation" ON "send_rows" USING btree ("invitation_id") WHERE "send_rows"."invitation_id" is not null;