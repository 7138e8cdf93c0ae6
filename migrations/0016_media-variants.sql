-- The image work of media items (issue 14): its state, the cleaned original and placeholder, and the
-- resized variants, site data under row-level security.
CREATE TABLE "media_variants" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"media_id" uuid NOT NULL,
	"width" integer NOT NULL,
	"height" integer NOT NULL,
	"format" text NOT NULL,
	"storage_key" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "media_variants_format_check" CHECK ("media_variants"."format" in ('avif', 'webp', 'jpeg', 'png', 'gif'))
);
--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "processing" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "clean_key" text;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "dominant_color" text;--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "thumbhash" text;--> statement-breakpoint
ALTER TABLE "media_variants" ADD CONSTRAINT "media_variants_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_variants" ADD CONSTRAINT "media_variants_media_id_media_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "media_variants_media_key" ON "media_variants" USING btree ("site_id","media_id","width","format");--> statement-breakpoint
CREATE UNIQUE INDEX "media_variants_storage_key" ON "media_variants" USING btree ("storage_key");--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_processing_check" CHECK ("media"."processing" in ('none', 'pending', 'ready', 'failed'));--> statement-breakpoint
ALTER TABLE "media_variants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "media_variants" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "media_variants_access" ON "media_variants" TO colophon_app USING (
	current_setting('app.network', true) = 'on'
	OR site_id = nullif(current_setting('app.site_id', true), '')::uuid
);
