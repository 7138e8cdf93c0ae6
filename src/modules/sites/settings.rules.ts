import { DEFAULT_SITE_SETTINGS, type SiteSettings } from './sites.schema.ts'

/**
 * The one reader of a site's stored settings (the `sites.settings` jsonb, as read from the database):
 * read through the closed shape, so unknown keys are dropped and a missing or mistyped value falls back
 * to its default. Every module that needs a setting reads it here, so a new key is parsed once.
 */
export function readSiteSettings(raw: unknown): SiteSettings {
  const stored: Partial<Record<keyof SiteSettings, unknown>> =
    typeof raw === 'object' && raw !== null ? raw : {}
  return {
    authorsMayPublish:
      typeof stored.authorsMayPublish === 'boolean'
        ? stored.authorsMayPublish
        : DEFAULT_SITE_SETTINGS.authorsMayPublish,
  }
}
