-- Colophon's application role. Every application transaction switches to it (set_config('role', ...)),
-- so row-level security applies even when the connecting user owns the tables or is a superuser.
-- Roles belong to the whole PostgreSQL cluster: creation is idempotent and tolerates a concurrent
-- creation by another database of the same cluster (parallel test databases do exactly that).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'colophon_app') THEN
    BEGIN
      CREATE ROLE colophon_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL;
    END;
  END IF;
END $$;
--> statement-breakpoint
-- The connecting user must be a member of the role to switch to it (superusers always are).
DO $$
BEGIN
  IF NOT pg_has_role(current_user, 'colophon_app', 'MEMBER') THEN
    EXECUTE format('GRANT colophon_app TO %I', current_user);
  END IF;
END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO colophon_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO colophon_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO colophon_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO colophon_app;
