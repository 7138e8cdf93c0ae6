CREATE TABLE "site_domains" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"host" text NOT NULL,
	"kind" text NOT NULL,
	"is_primary" boolean DEFAULT false NOT NULL,
	"verification_state" text DEFAULT 'verified' NOT NULL,
	"verification_token" text,
	"verified_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "site_domains_kind_check" CHECK ("site_domains"."kind" in ('subdomain', 'custom')),
	CONSTRAINT "site_domains_verification_check" CHECK ("site_domains"."verification_state" in ('pending', 'verified', 'failed')),
	CONSTRAINT "site_domains_host_lower_check" CHECK ("site_domains"."host" = lower("site_domains"."host"))
);
--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "tagline" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "locale" text DEFAULT 'en' NOT NULL;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "timezone" text DEFAULT 'UTC' NOT NULL;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "entries_quota" integer;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "api_calls_per_minute" integer;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "deleted_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "purge_after" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "site_domains" ADD CONSTRAINT "site_domains_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "site_domains_host_key" ON "site_domains" USING btree ("host");--> statement-breakpoint
CREATE UNIQUE INDEX "site_domains_one_primary_key" ON "site_domains" USING btree ("site_id") WHERE "site_domains"."is_primary";--> statement-breakpoint
CREATE INDEX "site_domains_site_idx" ON "site_domains" USING btree ("site_id");--> statement-breakpoint
-- Host names belong to a site: a transaction bound to a site sees only that site's; host routing and
-- network administration run at network scope.
ALTER TABLE "site_domains" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "site_domains" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "site_domains_access" ON "site_domains" TO colophon_app
	USING (
		current_setting('app.network', true) = 'on'
		OR "site_id" = nullif(current_setting('app.site_id', true), '')::uuid
	);
