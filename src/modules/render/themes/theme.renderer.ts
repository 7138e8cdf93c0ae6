import { Liquid } from 'liquidjs'
import { RenderErrors } from '../render.errors.ts'
import { imageHtml, isImageMedia } from './image-html.ts'
import type { LoadedTheme } from './theme.loader.ts'

/**
 * Liquid for one theme version, sandboxed (ARCHITECTURE D6):
 *
 * - **Closed file system.** Templates and partials are looked up in the theme's own in-memory files
 *   only (a map from names to sources, without a prototype); no include can name a file outside it, an
 *   absolute path, or another theme.
 * - **Data only, own properties only.** Templates read the plain data the render module hands them;
 *   `ownPropertyOnly` hides everything inherited (`constructor`, `__proto__`, methods). Unknown filters
 *   fail the template (`strictFilters`), so a typo shows at install rather than as silent blanks.
 * - **Escaped by default.** Every `{{ output }}` is HTML-escaped; `| raw` opts out, for the few values
 *   the server already sanitised (an entry's HTML body).
 * - **Bounded.** Each render stops past `renderMs` of time, `memory` units of LiquidJS's accounted
 *   allocations; each parse past `parseChars` characters (partials included).
 *   These are cooperative limits, checked between template nodes: the page request's own timeout and the
 *   node's memory bound stay the outer fence.
 * - **Parsed once.** Parsed templates are cached by the instance, which lives as long as the theme
 *   version it was built for.
 */

export interface RenderLimits {
  renderMs: number
  memory: number
  parseChars: number
}

export const DEFAULT_RENDER_LIMITS: RenderLimits = {
  renderMs: 1000,
  memory: 64_000_000,
  parseChars: 2_000_000,
}

/** What every template sees as `site` (in render globals, so a template cannot reassign it for filters). */
export interface RenderSite {
  /** The site's canonical origin and base path, without a trailing slash: `https://example.org`. */
  url: string
  /** BCP 47 language tag, for dates and translations. */
  locale: string
  /** IANA time zone, for dates. */
  timeZone: string
  [key: string]: unknown
}

export interface ThemeRenderer {
  readonly theme: LoadedTheme
  /** Whether the theme has the template (`entry-post` for `templates/entry-post.liquid`). */
  has(template: string): boolean
  /**
   * Renders a template with `scope` (the page's data) and `site`. Any failure of the template (syntax,
   * an unknown filter or asset, a limit) is `COLOPHON_RENDER_TEMPLATE_FAILED` with the template and the
   * engine's message in `details`; nothing of it is meant for readers.
   */
  render(template: string, scope: Readonly<Record<string, unknown>>, site: RenderSite): Promise<string>
}

/** Template files live under a prefix no partial path can take (`@` is not allowed in theme paths). */
const TEMPLATE_PREFIX = '@templates/'
const EXT = '.liquid'

export function createThemeRenderer(
  theme: LoadedTheme,
  limits: RenderLimits = DEFAULT_RENDER_LIMITS,
): ThemeRenderer {
  const files: Record<string, string> = Object.create(null)
  for (const [name, source] of theme.partials) files[name + EXT] = source
  for (const [name, source] of theme.templates) files[TEMPLATE_PREFIX + name + EXT] = source
  const liquid = new Liquid({
    templates: files,
    extname: EXT,
    cache: true,
    ownPropertyOnly: true,
    strictFilters: true,
    outputEscape: 'escape',
    parseLimit: limits.parseChars,
    renderLimit: limits.renderMs,
    memoryLimit: limits.memory,
  })
  registerFilters(liquid, theme)
  // Every template and partial parses now, so a broken theme is refused when it is loaded, not on a page.
  const issues: { path: string; message: string }[] = []
  for (const [name, source] of [
    ...[...theme.templates].map(([n, s]) => [`templates/${n}${EXT}`, s] as const),
    ...[...theme.partials].map(([n, s]) => [`partials/${n}${EXT}`, s] as const),
  ]) {
    try {
      liquid.parse(source, name)
    } catch (err) {
      issues.push({ path: name, message: firstLine(err) })
    }
  }
  if (issues.length > 0) throw RenderErrors.themeInvalid({ details: { issues } })

  return {
    theme,
    has: (template) => theme.templates.has(template),
    async render(template, scope, site) {
      try {
        // Every file is in memory and every filter synchronous: the synchronous renderer spares a
        // promise per template node.
        return liquid.renderFileSync(TEMPLATE_PREFIX + template, scope, { globals: { site } })
      } catch (err) {
        throw RenderErrors.templateFailed({
          details: { theme: theme.manifest.id, version: theme.version, template, message: firstLine(err) },
          cause: err,
        })
      }
    },
  }
}

/** The engine's message, first line only, naming template files by their path in the theme. */
const firstLine = (err: unknown): string =>
  (String((err as Error)?.message ?? err).split('\n')[0] as string).replaceAll(TEMPLATE_PREFIX, 'templates/')

/** The site of the render in progress (from the render's globals, which templates cannot assign). */
/** What LiquidJS binds `this` to in a filter (its own type is not exported), as far as filters here read it. */
interface FilterThis {
  context: { globals: unknown }
}

function siteOf(filter: FilterThis): RenderSite {
  return (filter.context.globals as { site: RenderSite }).site
}

const DATE_STYLES = new Set(['short', 'medium', 'long', 'full'])

function registerFilters(liquid: Liquid, theme: LoadedTheme): void {
  /** `{{ 'css/site.css' | asset_url }}`: the asset's URL, named by its content hash (cached for good). */
  liquid.registerFilter('asset_url', (path: unknown) => {
    const asset = typeof path === 'string' ? theme.assets.get(path) : undefined
    if (asset === undefined) throw new Error(`asset_url: the theme has no asset "${String(path)}"`)
    return `/_assets/${asset.hash}/${path as string}`
  })

  /** `{{ '/about/' | url }}`: a site path as an absolute URL on the site's canonical origin. */
  liquid.registerFilter('url', function (this: FilterThis, path: unknown) {
    const text = String(path ?? '')
    if (!text.startsWith('/') || text.startsWith('//')) return text
    return siteOf(this).url + text
  })

  /**
   * `{{ entry.publishedAt | date }}`, `| date: 'long'`, `| date: 'datetime'`, `| date: 'iso'`,
   * `| date: 'year'`: in the site's time zone and language.
   */
  liquid.registerFilter('date', function (this: FilterThis, value: unknown, style: unknown = 'medium') {
    if (value === null || value === undefined || value === '') return ''
    const at = value instanceof Date ? value : new Date(String(value))
    if (Number.isNaN(at.getTime())) return ''
    if (style === 'iso') return at.toISOString()
    const site = siteOf(this)
    return formatterFor(site.locale, site.timeZone, String(style)).format(at)
  })

  /** `{{ entry.bodyHtml | excerpt: 30 }}`: plain text of the HTML, cut after that many words (55 by default). */
  liquid.registerFilter('excerpt', (html: unknown, words: unknown = 55) => {
    const text = String(html ?? '')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
    const limit = Math.max(1, Math.min(1000, Number(words) || 55))
    const parts = text.split(' ')
    return parts.length <= limit ? text : `${parts.slice(0, limit).join(' ')}…`
  })

  /**
   * `{{ entry.image | image: sizes: '(min-width: 60rem) 40rem, 100vw' }}`: a responsive `<picture>` of a
   * media item (`entry.image`, an item of `entry.media`), AVIF/WebP sources, `srcset`, `sizes`, `width`,
   * `height`, lazy loading; options `crop: 'square'`, `loading: 'eager'`, `class`, `alt`. Its HTML is
   * written as is (no `| raw` needed); anything but an image writes nothing.
   */
  liquid.registerFilter('image', {
    raw: true,
    handler: (media: unknown, ...args: unknown[]) => {
      if (!isImageMedia(media)) return ''
      const options = Object.fromEntries(
        (args.filter(Array.isArray) as [string, unknown][]).map(([k, v]) => [k, String(v ?? '')]),
      )
      return imageHtml(media, options)
    },
  })

  /**
   * `{{ 'read_more' | t }}`, `{{ 'posted_by' | t: name: author.name }}`: the theme's text for the site's
   * language (then the bare language, then the theme's default), `{name}` filled from the keyword
   * arguments; the key itself when no translation has it.
   */
  liquid.registerFilter('t', function (this: FilterThis, key: unknown, ...args: unknown[]) {
    const text = translate(theme, siteOf(this).locale, String(key ?? ''))
    const values = Object.fromEntries(args.filter(Array.isArray) as [string, unknown][])
    return text.replace(/\{([a-z_][a-z0-9_]*)\}/gi, (whole, name: string) =>
      Object.hasOwn(values, name) ? String(values[name] ?? '') : whole,
    )
  })
}

/**
 * The theme's text for `key` in `locale` (then the bare language, then the theme's default language);
 * the key itself when no translation has it. What the `t` filter writes, for text the server composes.
 */
export function translate(theme: LoadedTheme, locale: string, key: string): string {
  const languages = [locale, locale.split('-')[0] as string, theme.manifest.defaultLocale ?? 'en']
  for (const language of languages) {
    const strings = theme.locales.get(language)
    if (strings !== undefined && Object.hasOwn(strings, key)) return strings[key] as string
  }
  return key
}

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatterFor(locale: string, timeZone: string, style: string): Intl.DateTimeFormat {
  const key = `${locale}\0${timeZone}\0${style}`
  let formatter = formatters.get(key)
  if (formatter === undefined) {
    const options: Intl.DateTimeFormatOptions =
      style === 'datetime'
        ? { dateStyle: 'medium', timeStyle: 'short' }
        : style === 'time'
          ? { timeStyle: 'short' }
          : style === 'year'
            ? { year: 'numeric' }
            : { dateStyle: (DATE_STYLES.has(style) ? style : 'medium') as 'medium' }
    try {
      formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone })
    } catch {
      // An unknown zone or language (a setting the API should have refused) falls back to UTC, English.
      formatter = new Intl.DateTimeFormat('en', { ...options, timeZone: 'UTC' })
    }
    if (formatters.size > 1000) formatters.clear()
    formatters.set(key, formatter)
  }
  return formatter
}
