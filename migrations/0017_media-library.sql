CREATE TABLE "entry_media" (
	"site_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"media_id" uuid NOT NULL,
	"via" text NOT NULL,
	"scope" text NOT NULL,
	CONSTRAINT "entry_media_entry_id_scope_media_id_via_pk" PRIMARY KEY("entry_id","scope","media_id","via"),
	CONSTRAINT "entry_media_via_check" CHECK ("entry_media"."via" in ('featured', 'field', 'body')),
	CONSTRAINT "entry_media_scope_check" CHECK ("entry_media"."scope" in ('live', 'head'))
);
--> statement-breakpoint
CREATE TABLE "media_folders" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"parent_id" uuid,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "media_folders_not_self_check" CHECK ("media_folders"."parent_id" is null or "media_folders"."parent_id" <> "media_folders"."id")
);
--> statement-breakpoint
DROP INDEX "media_variants_media_key";--> statement-breakpoint
ALTER TABLE "media" ADD COLUMN "folder_id" uuid;--> statement-breakpoint
ALTER TABLE "media_variants" ADD COLUMN "crop" text DEFAULT 'none' NOT NULL;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "media_storage" text;--> statement-breakpoint
ALTER TABLE "entry_media" ADD CONSTRAINT "entry_media_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_media" ADD CONSTRAINT "entry_media_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_media" ADD CONSTRAINT "entry_media_media_id_media_id_fk" FOREIGN KEY ("media_id") REFERENCES "public"."media"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_folders" ADD CONSTRAINT "media_folders_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "media_folders" ADD CONSTRAINT "media_folders_parent_id_media_folders_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."media_folders"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "entry_media_media_idx" ON "entry_media" USING btree ("site_id","media_id");--> statement-breakpoint
CREATE UNIQUE INDEX "media_folders_name_key" ON "media_folders" USING btree ("site_id",coalesce("parent_id", '00000000-0000-0000-0000-000000000000'::uuid),lower("name"));--> statement-breakpoint
CREATE INDEX "media_folders_parent_idx" ON "media_folders" USING btree ("site_id","parent_id");--> statement-breakpoint
ALTER TABLE "media" ADD CONSTRAINT "media_folder_id_media_folders_id_fk" FOREIGN KEY ("folder_id") REFERENCES "public"."media_folders"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "media_site_folder_idx" ON "media" USING btree ("site_id","folder_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "media_variants_media_key" ON "media_variants" USING btree ("site_id","media_id","crop","width","format");--> statement-breakpoint
ALTER TABLE "media_variants" ADD CONSTRAINT "media_variants_crop_check" CHECK ("media_variants"."crop" in ('none', 'square'));--> statement-breakpoint
ALTER TABLE "sites" ADD CONSTRAINT "sites_media_storage_check" CHECK ("sites"."media_storage" in ('local', 's3'));--> statement-breakpoint
-- The media library grows (issue 14): folders, square crops around the focal point, the storage each
-- site's objects live in, and entry_media, the media items each entry shows. All site data under
-- row-level security, like the rest of the library.
ALTER TABLE "media_folders" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "media_folders" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "media_folders_access" ON "media_folders" TO colophon_app USING (
	current_setting('app.network', true) = 'on'
	OR site_id = nullif(current_setting('app.site_id', true), '')::uuid
);--> statement-breakpoint
ALTER TABLE "entry_media" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "entry_media" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "entry_media_access" ON "entry_media" TO colophon_app USING (
	current_setting('app.network', true) = 'on'
	OR site_id = nullif(current_setting('app.site_id', true), '')::uuid
);--> statement-breakpoint
-- Entries written before this migration: their references, read from the columns (scope live) and the
-- head revision (scope head). A field is taken for a reference when its value is the id of a media item
-- of the site; the content module keeps the rows exact from the next save on.
INSERT INTO "entry_media" ("site_id", "entry_id", "media_id", "via", "scope")
SELECT DISTINCT e.site_id, e.id, m.id, refs.via, docs.scope
FROM "entries" e
LEFT JOIN "revisions" r ON r.id = e.head_revision_id
CROSS JOIN LATERAL (
	SELECT 'live' AS scope, e.featured_media_id::text AS doc_featured, e.body AS doc_body, e.fields AS doc_fields
	UNION ALL
	SELECT 'head', r.snapshot->>'featuredMediaId', r.snapshot->'body', r.snapshot->'fields' WHERE r.id IS NOT NULL
) docs
CROSS JOIN LATERAL (
	SELECT 'featured' AS via, docs.doc_featured AS ref WHERE docs.doc_featured IS NOT NULL
	UNION ALL
	SELECT 'body', v #>> '{}' FROM jsonb_path_query(coalesce(docs.doc_body, 'null'::jsonb), 'lax $.**.attrs.mediaId') v
	UNION ALL
	SELECT 'field', f.value FROM jsonb_each_text(CASE WHEN jsonb_typeof(docs.doc_fields) = 'object' THEN docs.doc_fields ELSE '{}'::jsonb END) f
) refs
JOIN "media" m ON m.site_id = e.site_id AND m.id::text = lower(refs.ref)

ON CONFLICT DO NOTHING;
