-- Sessions handed to a site's own host by the one-time sign-in handoff (ADR 0020): bound to that site,
-- ended with the network session they came from. Their one-time codes are user tokens of a new purpose.
ALTER TABLE "user_tokens" DROP CONSTRAINT "user_tokens_purpose_check";--> statement-breakpoint
ALTER TABLE "user_sessions" ADD COLUMN "site_id" uuid;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD COLUMN "parent_session_id" uuid;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_sessions" ADD CONSTRAINT "user_sessions_parent_session_id_user_sessions_id_fk" FOREIGN KEY ("parent_session_id") REFERENCES "public"."user_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_sessions_parent_idx" ON "user_sessions" USING btree ("parent_session_id");--> statement-breakpoint
ALTER TABLE "user_tokens" ADD CONSTRAINT "user_tokens_purpose_check" CHECK ("user_tokens"."purpose" in ('password_reset', 'invitation', 'email_change', 'site_signin'));
--> statement-breakpoint
-- With a site column comes row-level security (ARCHITECTURE D2). Sessions are the network's: credential
-- lookups and the caller's own session lists run at network scope and see them all. A transaction bound
-- to a site sees network sessions (so revoking a user's sessions there still reaches them; the sessions
-- handed from those go with them, by the cascade) and that site's own, never another site's.
ALTER TABLE "user_sessions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "user_sessions" FORCE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE POLICY "user_sessions_access" ON "user_sessions" TO colophon_app
	USING (
		current_setting('app.network', true) = 'on'
		OR "site_id" IS NULL
		OR "site_id" = nullif(current_setting('app.site_id', true), '')::uuid
	)
	WITH CHECK (
		current_setting('app.network', true) = 'on'
		OR "site_id" IS NULL
		OR "site_id" = nullif(current_setting('app.site_id', true), '')::uuid
	);
