-- Media items (issue 14): site data under row-level security, and the bytes quota per site.
CREATE TABLE "media" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"uploader_id" uuid,
	"storage_key" text NOT NULL,
	"filename" text NOT NULL,
	"mime_type" text NOT NULL,
	"category" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"sha256" text NOT NULL,
	"width" integer,
	"height" integer,
	"title" text DEFAULT '' NOT NULL,
	"alt" text DEFAULT '' NOT NULL,
	"caption" text DEFAULT '' NOT NULL,
	"credit" text DEFAULT '' NOT NULL,
	"decorative" boolean DEFAULT false NOT NULL,
	"focal_x" real,
	"focal_y" real,
	"idempotency_key" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "media_category_check" CHECK ("media"."category" in ('image', 'pdf', 'audio', 'video', 'document', 'svg')),
	CONSTRAINT "media_focal_check" CHECK (("media"."focal_x" is null and "media"."focal_y" is null) or ("media"."focal_x" between 0 and 1 and "media"."focal_y" between 0 and 1))
);
--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "media_bytes_quota" bigint;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_uploader_id_users_id_fk" FOREIGN KEY ("uploader_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "media_site_idx" ON "media" USING btree ("site_id","id");--> statement-breakpoint
CREATE INDEX "media_site_uploader_idx" ON "media" USING btree ("site_id","uploader_id");--> statement-breakpoint
CREATE UNIQUE INDEX "media_storage_key" ON "media" USING btree ("storage_key");--> statement-breakpoint
CREATE UNIQUE INDEX "media_idempotency_key" ON "media" USING btree ("site_id","uploader_id","idempotency_key") WHERE "media"."idempotency_key" is not null;--> statement-breakpoint
-- Media are site data: a transaction bound to a site sees and writes only that site's items; network-scope
-- work (cleanup, moves between providers) sees all.
ALTER TABLE "media" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "media" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "media_access" ON "media" TO colophon_app USING (
	current_setting('app.network', true) = 'on'
	OR site_id = nullif(current_setting('app.site_id', true), '')::uuid
);
