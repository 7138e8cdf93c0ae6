CREATE TABLE "entry_previews" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "entry_previews" ADD CONSTRAINT "entry_previews_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_previews" ADD CONSTRAINT "entry_previews_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_previews" ADD CONSTRAINT "entry_previews_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "entry_previews_token_key" ON "entry_previews" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "entry_previews_entry_idx" ON "entry_previews" USING btree ("site_id","entry_id","id");--> statement-breakpoint
-- Preview links are site data: a transaction bound to a site sees and writes only that site's links;
-- network-scope work sees all. The app role's table grants come from the default privileges of
-- migration 0000.
ALTER TABLE "entry_previews" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "entry_previews" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "entry_previews_access" ON "entry_previews" TO colophon_app USING (
	current_setting('app.network', true) = 'on'
	OR site_id = nullif(current_setting('app.site_id', true), '')::uuid
);
