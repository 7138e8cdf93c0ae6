import { fillTitleTemplate } from '../../sites/index.ts'
import { jsonLdGraph, scriptSafeJson } from './json-ld.ts'
import type { PageSeo, SeoInput, SeoLabels, SeoMeta } from './seo.model.ts'

/**
 * A page's SEO head from what the page shows (docs/themes.md, `seo`): the title through the site's
 * title templates, the meta description, canonical URL, robots, Open Graph and X card tags, and the
 * JSON-LD graph. Pure: no I/O, the same input gives the same output.
 */

export const DEFAULT_SEO_LABELS: Readonly<SeoLabels> = Object.freeze({
  home: 'Home',
  pageNumber: 'Page {page}',
  notFound: 'Page not found',
  badRequest: 'Bad request',
  untitled: 'Untitled',
})

/** Search engines show about this many characters of a description. */
export const DESCRIPTION_MAX = 160

const ERROR_KINDS = new Set(['not-found', 'bad-request'])
/** At most this many `article:tag` tags. */
const TAGS_MAX = 10

export function buildSeo(input: SeoInput): PageSeo {
  const { site, page, entry } = input
  const labels = { ...DEFAULT_SEO_LABELS, ...input.labels }
  const settings = site.settings
  const isError = ERROR_KINDS.has(page.kind)
  const own = isError
    ? page.kind === 'not-found'
      ? labels.notFound
      : labels.badRequest
    : entry
      ? plain(entry.title) || labels.untitled
      : plain(page.title)

  const title = fullTitle(input, own, labels)
  const description = isError
    ? ''
    : trimDescription(
        firstText(
          entry ? entry.seo.metaDescription : undefined,
          entry ? entry.excerpt : page.description,
          settings.defaultDescription,
          site.tagline,
        ),
      )
  const socialTitle = entry
    ? firstText(entry.seo.ogTitle, entry.seo.metaTitle, own)
    : page.kind === 'front'
      ? plain(site.name) || title
      : own || title
  const socialDescription = entry
    ? trimDescription(firstText(entry.seo.ogDescription) || description)
    : description

  return {
    title,
    description,
    canonicalUrl: page.canonicalUrl,
    robots: page.noindex || entry?.seo.noindex === true || isError ? 'noindex, follow' : null,
    meta: isError ? [] : socialMeta(input, socialTitle, socialDescription),
    jsonLd: scriptSafeJson({
      '@context': 'https://schema.org',
      '@graph': jsonLdGraph({ input, name: own || plain(site.name), description, home: labels.home }),
    }),
  }
}

/**
 * The `<title>`: an entry's SEO title as it is (it replaces the whole title, like the common SEO
 * plugins); else its type's template or the site's, or the front page's template; the site's name, then
 * the page's own title, when a template comes out empty.
 */
function fullTitle(input: SeoInput, own: string, labels: SeoLabels): string {
  const { site, page, entry } = input
  const override = plain(entry?.seo.metaTitle)
  if (override) return override
  const settings = site.settings
  const template =
    page.kind === 'front'
      ? settings.frontTitleTemplate
      : ((entry ? settings.typeTitleTemplates[entry.type] : undefined) ?? settings.titleTemplate)
  const number = page.pageNumber ?? 1
  const filled = fillTitleTemplate(template, {
    title: own,
    site: plain(site.name),
    tagline: plain(site.tagline),
    page: number > 1 ? labels.pageNumber.replaceAll('{page}', String(number)) : '',
  })
  return filled || plain(site.name) || own
}

function socialMeta(input: SeoInput, title: string, description: string): SeoMeta[] {
  const { site, page, entry } = input
  const settings = site.settings
  const meta: SeoMeta[] = [
    { property: 'og:type', content: entry ? 'article' : 'website' },
    { property: 'og:title', content: title },
  ]
  if (description) meta.push({ property: 'og:description', content: description })
  if (page.canonicalUrl) meta.push({ property: 'og:url', content: page.canonicalUrl })
  if (site.name) meta.push({ property: 'og:site_name', content: plain(site.name) })
  meta.push({ property: 'og:locale', content: openGraphLocale(site.locale) })
  if (settings.image) meta.push({ property: 'og:image', content: settings.image })
  if (entry) {
    if (entry.publishedAt) meta.push({ property: 'article:published_time', content: entry.publishedAt })
    const modified = entry.updatedAt ?? entry.publishedAt
    if (modified) meta.push({ property: 'article:modified_time', content: modified })
    if (entry.author) meta.push({ property: 'article:author', content: entry.author.url })
    const names = [...new Set(entry.terms.flatMap((t) => t.items.map((i) => i.name)))]
    const [section, ...tags] = names
    if (section) meta.push({ property: 'article:section', content: section })
    for (const tag of tags.slice(0, TAGS_MAX)) meta.push({ property: 'article:tag', content: tag })
  }
  meta.push({ name: 'twitter:card', content: 'summary' })
  meta.push({ name: 'twitter:title', content: title })
  if (description) meta.push({ name: 'twitter:description', content: description })
  if (settings.twitterSite) meta.push({ name: 'twitter:site', content: settings.twitterSite })
  if (settings.image) meta.push({ name: 'twitter:image', content: settings.image })
  return meta
}

/** Worked out once per locale: `Intl.Locale#maximize` is a good part of a page's SEO time. */
const ogLocales = new Map<string, string>()

/**
 * Open Graph's `language_TERRITORY` from a BCP 47 tag, the territory guessed from the language when the
 * tag has none (`en` → `en_US`, `fr` → `fr_FR`, `pt-BR` → `pt_BR`); `en_US` for a tag nothing can read.
 */
export function openGraphLocale(locale: string): string {
  let known = ogLocales.get(locale)
  if (known === undefined) {
    try {
      const full = new Intl.Locale(locale).maximize()
      known = full.region ? `${full.language}_${full.region}` : full.language
    } catch {
      known = 'en_US'
    }
    // Sites have a handful of locales; the bound only keeps odd input from growing the map.
    if (ogLocales.size > 500) ogLocales.clear()
    ogLocales.set(locale, known)
  }
  return known
}

/**
 * A description of at most `DESCRIPTION_MAX` characters: white space collapsed, cut at the last word
 * boundary that fits and ended with an ellipsis.
 */
export function trimDescription(text: string, max = DESCRIPTION_MAX): string {
  const flat = plain(text)
  if (flat.length <= max) return flat
  const cut = flat.slice(0, max) // room for the ellipsis is made below
  const space = cut.lastIndexOf(' ')
  const head = (space > max / 2 ? cut.slice(0, space) : cut.slice(0, max - 1)).replace(/[\s,;:.–—-]+$/, '')
  return `${head}…`
}

/** The text with its white space collapsed (line breaks from an excerpt, doubled spaces). */
function plain(text: string | undefined | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim()
}

function firstText(...texts: (string | undefined | null)[]): string {
  for (const text of texts) {
    const flat = plain(text)
    if (flat) return flat
  }
  return ''
}
