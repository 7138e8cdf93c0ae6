import {
  DEFAULT_DESCRIPTION_MAX_LENGTH,
  DEFAULT_SEO_SETTINGS,
  SEO_IMAGE_MAX_LENGTH,
  TITLE_TEMPLATE_MAX_LENGTH,
  TITLE_TEMPLATE_TOKENS,
  TYPE_KEY_PATTERN,
  TYPE_TITLE_TEMPLATES_MAX,
  type SeoSettings,
  type SeoSettingsInput,
  type TitleTemplateToken,
} from './seo-settings.schema.ts'

/**
 * Pure rules over a site's SEO settings: reading the stored value (defaults for what is missing or
 * mistyped) and deciding whether a change may be saved. The sites service turns an issue into
 * COLOPHON_SITES_SEO_INVALID.
 */

/** A `{token}` of a title template; anything else between braces, or a lone brace, is refused. */
const TITLE_TOKEN = /\{([^{}]*)\}/g

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/
const HANDLE = /^@[A-Za-z0-9_]{1,15}$/
const TYPE_KEY = new RegExp(TYPE_KEY_PATTERN)
const KNOWN_TOKENS: ReadonlySet<string> = new Set(TITLE_TEMPLATE_TOKENS)

export type SeoSettingsReason =
  | 'unknown-token'
  | 'stray-brace'
  | 'missing-title'
  | 'empty'
  | 'too-long'
  | 'control-character'
  | 'bad-handle'
  | 'not-https-url'
  | 'bad-type-key'
  | 'too-many'

/** Why a SEO setting is refused: the field (`seo.titleTemplate`, `seo.typeTitleTemplates.post`…) and the rule. */
export interface SeoSettingsIssue {
  field: string
  reason: SeoSettingsReason
  /** The unknown token, for `unknown-token`. */
  token?: string
}

/** The first issue of `seo` (a PATCH's keys; those absent are not checked), or undefined. */
export function seoSettingsIssue(seo: SeoSettingsInput): SeoSettingsIssue | undefined {
  const checks: (SeoSettingsIssue | undefined)[] = [
    seo.titleTemplate === undefined ? undefined : templateIssue('seo.titleTemplate', seo.titleTemplate, true),
    seo.frontTitleTemplate === undefined
      ? undefined
      : templateIssue('seo.frontTitleTemplate', seo.frontTitleTemplate, false),
    seo.typeTitleTemplates === undefined ? undefined : typeTemplatesIssue(seo.typeTitleTemplates),
    seo.defaultDescription === undefined
      ? undefined
      : textIssue('seo.defaultDescription', seo.defaultDescription, DEFAULT_DESCRIPTION_MAX_LENGTH),
    seo.twitterSite === undefined || seo.twitterSite === '' || HANDLE.test(seo.twitterSite)
      ? undefined
      : { field: 'seo.twitterSite', reason: 'bad-handle' },
    seo.image === undefined || seo.image === '' || isHttpsUrl(seo.image)
      ? undefined
      : { field: 'seo.image', reason: 'not-https-url' },
  ]
  return checks.find((issue) => issue !== undefined)
}

function templateIssue(field: string, template: string, needsTitle: boolean): SeoSettingsIssue | undefined {
  if (template.length > TITLE_TEMPLATE_MAX_LENGTH) return { field, reason: 'too-long' }
  if (CONTROL.test(template)) return { field, reason: 'control-character' }
  if (template.trim() === '') return { field, reason: 'empty' }
  for (const [whole, name] of template.matchAll(TITLE_TOKEN))
    if (!KNOWN_TOKENS.has(name as string)) return { field, reason: 'unknown-token', token: whole }
  if (/[{}]/.test(template.replace(TITLE_TOKEN, ''))) return { field, reason: 'stray-brace' }
  if (needsTitle && !template.includes('{title}')) return { field, reason: 'missing-title' }
  return undefined
}

function typeTemplatesIssue(templates: Record<string, string>): SeoSettingsIssue | undefined {
  const entries = Object.entries(templates)
  if (entries.length > TYPE_TITLE_TEMPLATES_MAX)
    return { field: 'seo.typeTitleTemplates', reason: 'too-many' }
  for (const [key, template] of entries) {
    const field = `seo.typeTitleTemplates.${key}`
    if (!TYPE_KEY.test(key)) return { field, reason: 'bad-type-key' }
    const issue = templateIssue(field, template, true)
    if (issue) return issue
  }
  return undefined
}

function textIssue(field: string, text: string, max: number): SeoSettingsIssue | undefined {
  if (text.length > max) return { field, reason: 'too-long' }
  if (CONTROL.test(text)) return { field, reason: 'control-character' }
  return undefined
}

function isHttpsUrl(text: string): boolean {
  if (text.length > SEO_IMAGE_MAX_LENGTH || CONTROL.test(text) || /\s/.test(text)) return false
  try {
    const url = new URL(text)
    return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === ''
  } catch {
    return false
  }
}

/**
 * The SEO settings from their stored value: each key that is there and passes the rules, else its
 * default (a value saved under older rules, or written by hand, never reaches a page).
 */
export function readSeoSettings(raw: unknown): SeoSettings {
  const stored: Record<string, unknown> =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {}
  const pick = <K extends keyof SeoSettings>(key: K, valid: (value: string) => boolean): SeoSettings[K] => {
    const value = stored[key]
    return (typeof value === 'string' && valid(value) ? value : DEFAULT_SEO_SETTINGS[key]) as SeoSettings[K]
  }
  const typeTitleTemplates: Record<string, string> = {}
  const types = stored.typeTitleTemplates
  if (typeof types === 'object' && types !== null && !Array.isArray(types)) {
    for (const [key, value] of Object.entries(types).slice(0, TYPE_TITLE_TEMPLATES_MAX))
      if (typeof value === 'string' && TYPE_KEY.test(key) && !templateIssue('', value, true))
        typeTitleTemplates[key] = value
  }
  return {
    titleTemplate: pick('titleTemplate', (v) => !templateIssue('', v, true)),
    frontTitleTemplate: pick('frontTitleTemplate', (v) => !templateIssue('', v, false)),
    typeTitleTemplates,
    defaultDescription: pick('defaultDescription', (v) => !textIssue('', v, DEFAULT_DESCRIPTION_MAX_LENGTH)),
    twitterSite: pick('twitterSite', (v) => v === '' || HANDLE.test(v)),
    image: pick('image', (v) => v === '' || isHttpsUrl(v)),
  }
}

// Literal text made only of white space and separators (`" – "`, `" | "`): what stands between parts.
const SEPARATOR_ONLY = /^[\s\-–—|·•:/~»›,]*$/

/**
 * A title from a valid template: each token replaced by its value (values are plain text, never read as
 * tokens), then the template's own separators tidied where a token came out empty: two separators left
 * side by side become one, one left at either end goes. `{title} – {page} – {site}` on a first page reads
 * `Archive – Site`. The values themselves are never edited, only white space collapsed.
 */
export function fillTitleTemplate(
  template: string,
  values: Readonly<Record<TitleTemplateToken, string>>,
): string {
  const parts: { literal: boolean; text: string }[] = []
  let at = 0
  for (const match of template.matchAll(TITLE_TOKEN)) {
    parts.push({ literal: true, text: template.slice(at, match.index) })
    const name = match[1] as string
    const value = Object.hasOwn(values, name) ? values[name as TitleTemplateToken].trim() : match[0]
    if (value !== '') parts.push({ literal: false, text: value })
    at = match.index + match[0].length
  }
  parts.push({ literal: true, text: template.slice(at) })
  const kept: { literal: boolean; text: string }[] = []
  for (const part of parts) {
    const last = kept.at(-1)
    if (part.literal && last?.literal) {
      // An empty token stood between: keep one separator, or the text if either is more than that.
      if (!SEPARATOR_ONLY.test(last.text) || !SEPARATOR_ONLY.test(part.text)) last.text += part.text
      else if (last.text.trim() === '') last.text = part.text
    } else kept.push({ ...part })
  }
  if (kept[0]?.literal && SEPARATOR_ONLY.test(kept[0].text)) kept.shift()
  const end = kept.at(-1)
  if (end?.literal && SEPARATOR_ONLY.test(end.text)) kept.pop()
  return kept
    .map((p) => p.text)
    .join('')
    .replace(/\s+/g, ' ')
    .trim()
}
