import { readSeoSettings } from './seo-settings.rules.ts'
import {
  DEFAULT_MEDIA_SETTINGS,
  DEFAULT_SITE_SETTINGS,
  MEDIA_CATEGORIES,
  ROBOTS_TXT_MAX_LENGTH,
  type MediaCategory,
  type MediaSettings,
  type SiteSettings,
} from './sites.schema.ts'

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
    robotsTxt:
      typeof stored.robotsTxt === 'string' && stored.robotsTxt.length <= ROBOTS_TXT_MAX_LENGTH
        ? stored.robotsTxt
        : DEFAULT_SITE_SETTINGS.robotsTxt,
    seo: readSeoSettings(stored.seo),
    media: readMediaSettings(stored.media),
    frontPageEntryId:
      typeof stored.frontPageEntryId === 'string' && UUID.test(stored.frontPageEntryId)
        ? stored.frontPageEntryId.toLowerCase()
        : DEFAULT_SITE_SETTINGS.frontPageEntryId,
  }
}

/** The media settings through their closed shape: unknown categories dropped, defaults for the rest. */
export function readMediaSettings(raw: unknown): MediaSettings {
  const stored: Partial<Record<keyof MediaSettings, unknown>> =
    typeof raw === 'object' && raw !== null ? raw : {}
  const known = new Set<string>(MEDIA_CATEGORIES)
  return {
    allowedCategories: Array.isArray(stored.allowedCategories)
      ? (MEDIA_CATEGORIES.filter(
          (c) => known.has(c) && (stored.allowedCategories as unknown[]).includes(c),
        ) satisfies MediaCategory[])
      : DEFAULT_MEDIA_SETTINGS.allowedCategories,
    keepMetadata:
      typeof stored.keepMetadata === 'boolean' ? stored.keepMetadata : DEFAULT_MEDIA_SETTINGS.keepMetadata,
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Why a site's robots.txt rules are refused: the first offending line (1-based) and the rule it breaks. */
export interface RobotsTxtIssue {
  line: number
  reason: 'control-character' | 'not-a-rule' | 'too-long'
}

/** Tab is the one control character RFC 9309 allows inside a line (as white space); CR and LF end lines. */
function hasControlCharacter(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i)
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true
  }
  return false
}
// A rule is `field: value` (RFC 9309 §2.2); fields beyond the standard ones (Crawl-delay, Host …) are
// kept, since crawlers ignore what they do not know.
const RULE = /^[ \t]*[A-Za-z][A-Za-z0-9_-]*[ \t]*:/

/**
 * Whether `text` can be served as a robots.txt: every line blank, a `#` comment, or a `field: value`
 * rule, with no control character but tab. Pure; the sites service turns an issue into a coded 400.
 */
export function robotsTxtIssue(text: string): RobotsTxtIssue | undefined {
  if (text.length > ROBOTS_TXT_MAX_LENGTH) return { line: 1, reason: 'too-long' }
  const lines = text.split(/\r\n|\r|\n/)
  for (const [index, raw] of lines.entries()) {
    const line = index + 1
    if (hasControlCharacter(raw)) return { line, reason: 'control-character' }
    const content = raw.replace(/#.*$/, '').trim()
    if (content !== '' && !RULE.test(content)) return { line, reason: 'not-a-rule' }
  }
  return undefined
}
