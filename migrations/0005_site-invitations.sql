-- Invitations to join one site, mailed to an address that may or may not have an account yet (ADR 0008).
-- Only the SHA-256 of the emailed token is stored. A row lives until it is accepted,
-- revoked or replaced by a newer invitation of the same address to the same site. `user_id` is the account
-- the address belonged to when invited, kept so that acceptance can refuse it once deleted or suspended;
-- no reply ever shows it.
CREATE TABLE "site_invitations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"site_id" uuid NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role_id" uuid NOT NULL,
	"user_id" uuid,
	"invited_by" uuid,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "site_invitations_email_lower_check" CHECK ("site_invitations"."email" = lower("site_invitations"."email"))
);
--> statement-breakpoint
ALTER TABLE "site_invitations" ADD CONSTRAINT "site_invitations_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_invitations" ADD CONSTRAINT "site_invitations_role_id_roles_id_fk" FOREIGN KEY ("role_id") REFERENCES "public"."roles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_invitations" ADD CONSTRAINT "site_invitations_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "site_invitations" ADD CONSTRAINT "site_invitations_invited_by_users_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "site_invitations_token_key" ON "site_invitations" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "site_invitations_site_email_key" ON "site_invitations" USING btree ("site_id","email");--> statement-breakpoint
CREATE INDEX "site_invitations_site_idx" ON "site_invitations" USING btree ("site_id","id" DESC NULLS LAST);--> statement-breakpoint
-- A site's invitations are that site's data: a transaction bound to a site sees only its own. Accepting
-- runs at network scope (the link names no site; the token finds the row), like every emailed token.
ALTER TABLE "site_invitations" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "site_invitations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "site_invitations_access" ON "site_invitations" TO colophon_app
	USING (
		current_setting('app.network', true) = 'on'
		OR "site_id" = nullif(current_setting('app.site_id', true), '')::uuid
	);
