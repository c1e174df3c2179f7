ALTER TABLE "workspaces" ADD COLUMN "quiet_hours" jsonb;--> statement-breakpoint
ALTER TABLE "workspaces" ADD COLUMN "quiet_hours_channels" text[] DEFAULT '{sms}'::text[] NOT NULL;