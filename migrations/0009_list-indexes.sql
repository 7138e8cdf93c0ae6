DROP INDEX "api_keys_user_idx";--> statement-breakpoint
DROP INDEX "audit_log_site_idx";--> statement-breakpoint
DROP INDEX "entry_transitions_entry_idx";--> statement-breakpoint
DROP INDEX "jobs_site_idx";--> statement-breakpoint
DROP INDEX "jobs_state_idx";--> statement-breakpoint
DROP INDEX "jobs_queue_idx";--> statement-breakpoint
DROP INDEX "revisions_entry_idx";--> statement-breakpoint
DROP INDEX "site_domains_site_idx";--> statement-breakpoint
DROP INDEX "site_invitations_site_idx";--> statement-breakpoint
CREATE INDEX "redirects_site_idx" ON "redirects" USING btree ("site_id","id");--> statement-breakpoint
CREATE INDEX "series_site_idx" ON "series" USING btree ("site_id","id");--> statement-breakpoint
CREATE INDEX "site_members_role_idx" ON "site_members" USING btree ("role_id");--> statement-breakpoint
CREATE INDEX "users_network_role_idx" ON "users" USING btree ("network_role_id");--> statement-breakpoint
CREATE INDEX "api_keys_user_idx" ON "api_keys" USING btree ("user_id","id");--> statement-breakpoint
CREATE INDEX "audit_log_site_idx" ON "audit_log" USING btree ("site_id","id");--> statement-breakpoint
CREATE INDEX "entry_transitions_entry_idx" ON "entry_transitions" USING btree ("entry_id","id");--> statement-breakpoint
CREATE INDEX "jobs_site_idx" ON "jobs" USING btree ("site_id","id");--> statement-breakpoint
CREATE INDEX "jobs_state_idx" ON "jobs" USING btree ("state","id");--> statement-breakpoint
CREATE INDEX "jobs_queue_idx" ON "jobs" USING btree ("queue","id");--> statement-breakpoint
CREATE INDEX "revisions_entry_idx" ON "revisions" USING btree ("entry_id","id");--> statement-breakpoint
CREATE INDEX "site_domains_site_idx" ON "site_domains" USING btree ("site_id","id");--> statement-breakpoint
CREATE INDEX "site_invitations_site_idx" ON "site_invitations" USING btree ("site_id","id");