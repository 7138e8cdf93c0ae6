CREATE TABLE "content_types" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"plural_name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"is_builtin" boolean DEFAULT false NOT NULL,
	"hierarchical" boolean DEFAULT false NOT NULL,
	"permalink" text NOT NULL,
	"fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"field_groups" text[] DEFAULT '{}'::text[] NOT NULL,
	"retired_fields" text[] DEFAULT '{}'::text[] NOT NULL,
	"approvals_required" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "content_types_approvals_check" CHECK ("content_types"."approvals_required" between 0 and 10)
);
--> statement-breakpoint
CREATE TABLE "entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"type_id" uuid NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"slug" text NOT NULL,
	"title" text DEFAULT '' NOT NULL,
	"excerpt" text DEFAULT '' NOT NULL,
	"body" jsonb,
	"body_html" text DEFAULT '' NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"author_id" uuid,
	"parent_id" uuid,
	"featured_media_id" uuid,
	"seo" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"visibility" text DEFAULT 'public' NOT NULL,
	"password_hash" text,
	"published_revision_id" uuid,
	"head_revision_id" uuid,
	"publish_at" timestamp with time zone,
	"unpublish_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"trashed_at" timestamp with time zone,
	"status_before_trash" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "entries_status_check" CHECK ("entries"."status" in ('draft', 'pending', 'scheduled', 'published', 'unpublished', 'archived', 'trash')),
	CONSTRAINT "entries_visibility_check" CHECK ("entries"."visibility" in ('public', 'private', 'password')),
	CONSTRAINT "entries_not_own_parent_check" CHECK ("entries"."parent_id" is null or "entries"."parent_id" <> "entries"."id")
);
--> statement-breakpoint
CREATE TABLE "entry_approvals" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"revision_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "entry_relations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"from_entry_id" uuid NOT NULL,
	"to_entry_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "entry_relations_not_self_check" CHECK ("entry_relations"."from_entry_id" <> "entry_relations"."to_entry_id")
);
--> statement-breakpoint
CREATE TABLE "entry_terms" (
	"site_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"term_id" uuid NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "entry_terms_entry_id_term_id_pk" PRIMARY KEY("entry_id","term_id")
);
--> statement-breakpoint
CREATE TABLE "entry_transitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"actor_id" uuid,
	"actor_kind" text DEFAULT 'user' NOT NULL,
	"revision_id" uuid,
	"note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "field_groups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"fields" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"job_id" uuid NOT NULL,
	"site_id" uuid,
	"queue" text NOT NULL,
	"attempt" integer NOT NULL,
	"status" text DEFAULT 'running' NOT NULL,
	"worker" text DEFAULT '' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"duration_ms" integer,
	"error" text,
	CONSTRAINT "job_runs_status_check" CHECK ("job_runs"."status" in ('running', 'completed', 'failed', 'timed_out'))
);
--> statement-breakpoint
CREATE TABLE "jobs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid,
	"queue" text NOT NULL,
	"state" text DEFAULT 'queued' NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"actor_id" uuid,
	"actor_kind" text DEFAULT 'system' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer DEFAULT 1 NOT NULL,
	"run_after" timestamp with time zone DEFAULT now() NOT NULL,
	"singleton_key" text,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "jobs_state_check" CHECK ("jobs"."state" in ('queued', 'active', 'retrying', 'completed', 'failed', 'dead', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "redirects" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"from_path" text NOT NULL,
	"to_path" text NOT NULL,
	"status_code" integer DEFAULT 301 NOT NULL,
	"is_automatic" boolean DEFAULT false NOT NULL,
	"entry_id" uuid,
	"note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "redirects_status_check" CHECK ("redirects"."status_code" in (301, 302, 307, 308)),
	CONSTRAINT "redirects_not_self_check" CHECK ("redirects"."from_path" <> "redirects"."to_path")
);
--> statement-breakpoint
CREATE TABLE "revisions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"author_id" uuid,
	"kind" text DEFAULT 'save' NOT NULL,
	"snapshot" jsonb NOT NULL,
	"restored_from" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "revisions_kind_check" CHECK ("revisions"."kind" in ('save', 'restore', 'autosave'))
);
--> statement-breakpoint
CREATE TABLE "series" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "series_entries" (
	"site_id" uuid NOT NULL,
	"series_id" uuid NOT NULL,
	"entry_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "series_entries_series_id_entry_id_pk" PRIMARY KEY("series_id","entry_id")
);
--> statement-breakpoint
CREATE TABLE "taxonomies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"plural_name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"hierarchical" boolean DEFAULT false NOT NULL,
	"is_builtin" boolean DEFAULT false NOT NULL,
	"type_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "terms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"taxonomy_id" uuid NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"parent_id" uuid,
	"meta" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "terms_not_own_parent_check" CHECK ("terms"."parent_id" is null or "terms"."parent_id" <> "terms"."id")
);
--> statement-breakpoint
ALTER TABLE "content_types" ADD CONSTRAINT "content_types_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_type_id_content_types_id_fk" FOREIGN KEY ("type_id") REFERENCES "public"."content_types"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entries" ADD CONSTRAINT "entries_parent_id_entries_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."entries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_approvals" ADD CONSTRAINT "entry_approvals_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_approvals" ADD CONSTRAINT "entry_approvals_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_approvals" ADD CONSTRAINT "entry_approvals_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_relations" ADD CONSTRAINT "entry_relations_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_relations" ADD CONSTRAINT "entry_relations_from_entry_id_entries_id_fk" FOREIGN KEY ("from_entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_relations" ADD CONSTRAINT "entry_relations_to_entry_id_entries_id_fk" FOREIGN KEY ("to_entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_terms" ADD CONSTRAINT "entry_terms_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_terms" ADD CONSTRAINT "entry_terms_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_terms" ADD CONSTRAINT "entry_terms_term_id_terms_id_fk" FOREIGN KEY ("term_id") REFERENCES "public"."terms"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_transitions" ADD CONSTRAINT "entry_transitions_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_transitions" ADD CONSTRAINT "entry_transitions_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_transitions" ADD CONSTRAINT "entry_transitions_actor_id_users_id_fk" FOREIGN KEY ("actor_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "field_groups" ADD CONSTRAINT "field_groups_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redirects" ADD CONSTRAINT "redirects_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "redirects" ADD CONSTRAINT "redirects_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revisions" ADD CONSTRAINT "revisions_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revisions" ADD CONSTRAINT "revisions_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "revisions" ADD CONSTRAINT "revisions_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series" ADD CONSTRAINT "series_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_entries" ADD CONSTRAINT "series_entries_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_entries" ADD CONSTRAINT "series_entries_series_id_series_id_fk" FOREIGN KEY ("series_id") REFERENCES "public"."series"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "series_entries" ADD CONSTRAINT "series_entries_entry_id_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "taxonomies" ADD CONSTRAINT "taxonomies_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terms" ADD CONSTRAINT "terms_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terms" ADD CONSTRAINT "terms_taxonomy_id_taxonomies_id_fk" FOREIGN KEY ("taxonomy_id") REFERENCES "public"."taxonomies"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "terms" ADD CONSTRAINT "terms_parent_id_terms_id_fk" FOREIGN KEY ("parent_id") REFERENCES "public"."terms"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "content_types_site_key" ON "content_types" USING btree ("site_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "entries_slug_key" ON "entries" USING btree ("site_id","type_id","slug") WHERE "entries"."trashed_at" is null;--> statement-breakpoint
CREATE INDEX "entries_list_idx" ON "entries" USING btree ("site_id","status","published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "entries_type_list_idx" ON "entries" USING btree ("site_id","type_id","status","published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "entries_author_idx" ON "entries" USING btree ("site_id","author_id");--> statement-breakpoint
CREATE INDEX "entries_parent_idx" ON "entries" USING btree ("parent_id");--> statement-breakpoint
CREATE INDEX "entries_publish_due_idx" ON "entries" USING btree ("publish_at") WHERE "entries"."status" = 'scheduled';--> statement-breakpoint
CREATE INDEX "entries_unpublish_due_idx" ON "entries" USING btree ("unpublish_at") WHERE "entries"."unpublish_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "entry_approvals_once_key" ON "entry_approvals" USING btree ("entry_id","revision_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "entry_relations_once_key" ON "entry_relations" USING btree ("from_entry_id","kind","to_entry_id");--> statement-breakpoint
CREATE INDEX "entry_relations_to_idx" ON "entry_relations" USING btree ("to_entry_id");--> statement-breakpoint
CREATE INDEX "entry_terms_term_idx" ON "entry_terms" USING btree ("term_id");--> statement-breakpoint
CREATE INDEX "entry_transitions_entry_idx" ON "entry_transitions" USING btree ("entry_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "field_groups_site_key" ON "field_groups" USING btree ("site_id","key");--> statement-breakpoint
CREATE INDEX "job_runs_job_idx" ON "job_runs" USING btree ("job_id","attempt");--> statement-breakpoint
CREATE INDEX "job_runs_site_idx" ON "job_runs" USING btree ("site_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "jobs_site_idx" ON "jobs" USING btree ("site_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "jobs_state_idx" ON "jobs" USING btree ("state","id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "jobs_queue_idx" ON "jobs" USING btree ("queue","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "redirects_site_from_key" ON "redirects" USING btree ("site_id","from_path");--> statement-breakpoint
CREATE INDEX "redirects_site_to_idx" ON "redirects" USING btree ("site_id","to_path");--> statement-breakpoint
CREATE INDEX "revisions_entry_idx" ON "revisions" USING btree ("entry_id","id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "revisions_one_autosave_key" ON "revisions" USING btree ("entry_id","author_id") WHERE "revisions"."kind" = 'autosave';--> statement-breakpoint
CREATE UNIQUE INDEX "series_site_slug_key" ON "series" USING btree ("site_id","slug");--> statement-breakpoint
CREATE UNIQUE INDEX "series_entries_position_key" ON "series_entries" USING btree ("series_id","position");--> statement-breakpoint
CREATE INDEX "series_entries_entry_idx" ON "series_entries" USING btree ("entry_id");--> statement-breakpoint
CREATE UNIQUE INDEX "taxonomies_site_key" ON "taxonomies" USING btree ("site_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "terms_taxonomy_slug_key" ON "terms" USING btree ("taxonomy_id","slug");--> statement-breakpoint
CREATE INDEX "terms_site_idx" ON "terms" USING btree ("site_id","taxonomy_id");--> statement-breakpoint
CREATE INDEX "terms_parent_idx" ON "terms" USING btree ("parent_id");--> statement-breakpoint
-- Row-level security on every site table of the content core: a transaction bound to a site sees and
-- writes only that site's rows; network-scope work (maintenance, the network jobs view) sees all.
DO $$
DECLARE t text;
BEGIN
	FOREACH t IN ARRAY ARRAY['field_groups', 'content_types', 'entries', 'revisions', 'entry_transitions',
		'entry_approvals', 'entry_relations', 'series', 'series_entries', 'taxonomies', 'terms', 'entry_terms',
		'redirects', 'jobs', 'job_runs']
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
--> statement-breakpoint
-- Every site starts with the built-in types and taxonomies. A trigger rather than application code, so
-- that every way a site comes to exist (installation, the sites API, imports) gets them in its own
-- transaction. They are ordinary rows afterwards: nothing special-cases them.
CREATE FUNCTION colophon_seed_site_content() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO content_types (id, site_id, key, name, plural_name, description, is_builtin, hierarchical, permalink)
	VALUES
		(gen_random_uuid(), NEW.id, 'post', 'Post', 'Posts', 'Dated articles, listed newest first.', true, false, '/{year}/{month}/{slug}'),
		(gen_random_uuid(), NEW.id, 'page', 'Page', 'Pages', 'Standalone pages that may nest under a parent.', true, true, '/{path}');
	INSERT INTO taxonomies (id, site_id, key, name, plural_name, description, hierarchical, is_builtin, type_keys)
	VALUES
		(gen_random_uuid(), NEW.id, 'category', 'Category', 'Categories', 'Hierarchical topics of posts.', true, true, ARRAY['post']),
		(gen_random_uuid(), NEW.id, 'tag', 'Tag', 'Tags', 'Free keywords of posts.', false, true, ARRAY['post']);
	RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER sites_seed_content AFTER INSERT ON sites FOR EACH ROW EXECUTE FUNCTION colophon_seed_site_content();
--> statement-breakpoint
-- Sites that exist before this release get the same built-ins.
INSERT INTO content_types (id, site_id, key, name, plural_name, description, is_builtin, hierarchical, permalink)
SELECT gen_random_uuid(), s.id, v.key, v.name, v.plural_name, v.description, true, v.hierarchical, v.permalink
FROM sites s CROSS JOIN (VALUES
	('post', 'Post', 'Posts', 'Dated articles, listed newest first.', false, '/{year}/{month}/{slug}'),
	('page', 'Page', 'Pages', 'Standalone pages that may nest under a parent.', true, '/{path}')
) AS v(key, name, plural_name, description, hierarchical, permalink);
--> statement-breakpoint
INSERT INTO taxonomies (id, site_id, key, name, plural_name, description, hierarchical, is_builtin, type_keys)
SELECT gen_random_uuid(), s.id, v.key, v.name, v.plural_name, v.description, v.hierarchical, true, ARRAY['post']
FROM sites s CROSS JOIN (VALUES
	('category', 'Category', 'Categories', 'Hierarchical topics of posts.', true),
	('tag', 'Tag', 'Tags', 'Free keywords of posts.', false)
) AS v(key, name, plural_name, description, hierarchical);
