CREATE TABLE "menu_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"menu_id" uuid NOT NULL,
	"parent_id" uuid,
	"position" integer NOT NULL,
	"kind" text NOT NULL,
	"entry_id" uuid,
	"term_id" uuid,
	"type_id" uuid,
	"url" text,
	"label" text,
	CONSTRAINT "menu_items_kind_check" CHECK ("menu_items"."kind" in ('entry', 'term', 'archive', 'custom')),
	CONSTRAINT "menu_items_target_check" CHECK (("menu_items"."kind" = 'entry') = ("menu_items"."entry_id" is not null)
        and ("menu_items"."kind" = 'term') = ("menu_items"."term_id" is not null)
        and ("menu_items"."kind" = 'archive') = ("menu_items"."type_id" is not null)
        and ("menu_items"."kind" = 'custom') = ("menu_items"."url" is not null)),
	CONSTRAINT "menu_items_not_own_parent_check" CHECK ("menu_items"."parent_id" is null or "menu_items"."parent_id" <> "menu_items"."id")
);
--> statement-breakpoint
CREATE TABLE "menus" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"name" text NOT NULL,
	"location" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "menu_items" ADD CONSTRAINT "menu_items_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_items" ADD CONSTRAINT "menu_items_menu_id_menus_id_fk" FOREIGN KEY ("menu_id") REFERENCES "public"."menus"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_items" ADD CONSTRAINT "menu_items_parent_id_menu_items_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."menu_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_items" ADD CONSTRAINT "menu_items_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_items" ADD CONSTRAINT "menu_items_term_id_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menu_items" ADD CONSTRAINT "menu_items_type_id_content_types_id_fk" FOREIGN KEY ("type_id") REFERENCES "public"."content_types"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "menus" ADD CONSTRAINT "menus_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "menu_items_menu_idx" ON "menu_items" USING btree ("menu_id","parent_id","position");--> statement-breakpoint
CREATE INDEX "menu_items_site_idx" ON "menu_items" USING btree ("site_id");--> statement-breakpoint
CREATE INDEX "menu_items_parent_idx" ON "menu_items" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "menu_items_entry_idx" ON "menu_items" USING btree ("entry_id");--> statement-breakpoint
CREATE INDEX "menu_items_term_idx" ON "menu_items" USING btree ("term_id");--> statement-breakpoint
CREATE INDEX "menu_items_type_idx" ON "menu_items" USING btree ("type_id");--> statement-breakpoint
CREATE INDEX "menus_site_idx" ON "menus" USING btree ("site_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "menus_site_location_key" ON "menus" USING btree ("site_id","location") WHERE "menus"."location" is not null;--> statement-breakpoint
-- Menus and their items are site data: a transaction bound to a site sees and writes only that site's
-- rows; network-scope work sees all. The app role's table grants come from the default privileges of
-- migration 0000.
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['menus', 'menu_items']
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
