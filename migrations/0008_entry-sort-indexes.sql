CREATE INDEX "entries_site_published_idx" ON "entries" USING btree ("site_id","published_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "entries_site_created_idx" ON "entries" USING btree ("site_id","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "entries_site_updated_idx" ON "entries" USING btree ("site_id","updated_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "entries_site_title_idx" ON "entries" USING btree ("site_id","title" DESC NULLS LAST,"id" DESC NULLS LAST);