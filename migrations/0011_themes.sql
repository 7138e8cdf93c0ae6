CREATE TABLE "site_themes" (
	"site_id" uuid PRIMARY KEY NOT NULL,
	"theme_id" text NOT NULL,
	"settings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "theme_files" (
	"theme_id" text NOT NULL,
	"path" text NOT NULL,
	"bytes" "bytea" NOT NULL,
	CONSTRAINT "theme_files_theme_id_path_pk" PRIMARY KEY("theme_id","path")
);
--> statement-breakpoint
CREATE TABLE "theme_render_errors" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"path" text NOT NULL,
	"theme_id" text NOT NULL,
	"theme_version" text,
	"template" text,
	"message" text NOT NULL,
	"request_id" text NOT NULL,
	CONSTRAINT "theme_render_errors_message_check" CHECK (length("theme_render_errors"."message") <= 2000)
);
--> statement-breakpoint
CREATE TABLE "themes" (
	"id" text PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"file_count" integer NOT NULL,
	"total_bytes" integer NOT NULL,
	"installed_by" uuid,
	"installed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "site_themes" ADD CONSTRAINT "site_themes_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "theme_files" ADD CONSTRAINT "theme_files_theme_id_themes_id_fk" FOREIGN KEY ("theme_id") REFERENCES "public"."themes"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "theme_render_errors" ADD CONSTRAINT "theme_render_errors_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "themes" ADD CONSTRAINT "themes_installed_by_users_id_fk" FOREIGN KEY ("installed_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "site_themes_theme_idx" ON "site_themes" USING btree ("theme_id");--> statement-breakpoint
CREATE INDEX "theme_render_errors_site_idx" ON "theme_render_errors" USING btree ("site_id","id");--> statement-breakpoint
-- A site's theme choice and its render errors are site data: a transaction bound to a site sees and
-- writes only that site's rows; network-scope work (the themes list counting sites, the refusal to delete
-- a theme in use) sees all. Installed themes and their files are network data without a site, readable
-- by every transaction (a page reads its site's theme version) and written by the network-scope themes
-- service only, like sites and roles. The app role's table grants come from the default privileges of
-- migration 0000.
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['site_themes', 'theme_render_errors']
	LOOP
		EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
		EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
		EXECUTE format(
			'CREATE POLICY %I ON %I TO colophon_app USING ('
			|| 'current_setting(''app.network'', true) = ''on'' '
			|| 'OR site_id = nullif(current_setting(''app.site_id'', true), '''')::uuid)',
			t || '_access', t);
	END LOOP;
END
$$;
