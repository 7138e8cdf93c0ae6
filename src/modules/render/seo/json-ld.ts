import type { SeoEntry, SeoInput } from './seo.model.ts'

/**
 * The page's structured data (schema.org, JSON-LD) as one `@graph`: the WebSite and its publisher on
 * every page, an Article or BlogPosting on entry pages, a CollectionPage on listings, and a
 * BreadcrumbList where the page has a trail. Nodes refer to each other by `@id` (`<origin>/#website`,
 * `<url>#article`) so search engines join them. Pure.
 */

type Node = Record<string, unknown>

/** Characters that could end the script element or confuse an HTML parser, as JSON escapes. */
const UNSAFE = /[<>&\u2028\u2029]/g
const ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
}

/**
 * JSON text that is safe inside `<script type="application/ld+json">`: no `</script>`, `<!--` or `&`
 * can appear (they are written as `\u003c`…, which JSON readers decode back), nor the two line
 * separators older JavaScript parsers refused.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => ESCAPES[c] as string)
}

/** Google shows headlines up to 110 characters. */
const HEADLINE_MAX = 110

export interface GraphParts {
  input: SeoInput
  /** The page's title without the site's name (the entry's or archive's own). */
  name: string
  description: string
  home: string
}

export function jsonLdGraph({ input, name, description, home }: GraphParts): Node[] {
  const { site, page, entry } = input
  const root = `${site.origin}/`
  const websiteId = `${root}#website`
  const publisherId = `${root}#publisher`
  const image = site.settings.image
  const graph: Node[] = [
    {
      '@type': 'WebSite',
      '@id': websiteId,
      url: root,
      name: site.name,
      ...(site.tagline ? { description: site.tagline } : {}),
      inLanguage: site.locale,
      publisher: { '@id': publisherId },
    },
    {
      '@type': 'Organization',
      '@id': publisherId,
      name: site.name,
      url: root,
      ...(image ? { logo: { '@type': 'ImageObject', url: image } } : {}),
    },
  ]
  const url = page.canonicalUrl
  if (url === null) return graph
  const breadcrumbId = `${url}#breadcrumb`
  if (page.kind === 'entry' && entry) {
    graph.push(
      articleNode({ entry, name, url, description, websiteId, publisherId, image, locale: site.locale }),
    )
    const trail = [
      { name: home, url: root },
      ...entry.ancestors.flatMap((a) => (a.url ? [{ name: a.title, url: a.url }] : [])),
      { name, url },
    ]
    graph.push(breadcrumbNode(breadcrumbId, trail))
  } else if (page.kind !== 'front' && page.kind !== 'not-found' && page.kind !== 'bad-request') {
    graph.push({
      '@type': 'CollectionPage',
      '@id': url,
      url,
      name,
      ...(description ? { description } : {}),
      isPartOf: { '@id': websiteId },
      inLanguage: site.locale,
      breadcrumb: { '@id': breadcrumbId },
    })
    graph.push(
      breadcrumbNode(breadcrumbId, [
        { name: home, url: root },
        { name, url },
      ]),
    )
  }
  return graph
}

function articleNode(a: {
  entry: SeoEntry
  /** The entry's title as shown (white space collapsed, or the theme's word for untitled). */
  name: string
  url: string
  description: string
  websiteId: string
  publisherId: string
  image: string
  locale: string
}): Node {
  const { entry } = a
  const headline = a.name.length > HEADLINE_MAX ? `${a.name.slice(0, HEADLINE_MAX - 1)}…` : a.name
  const [section] = entry.terms.flatMap((t) => t.items.map((i) => i.name))
  const keywords = [...new Set(entry.terms.flatMap((t) => t.items.map((i) => i.name)))]
  return {
    '@type': entry.hierarchical ? 'Article' : 'BlogPosting',
    '@id': `${a.url}#article`,
    headline,
    ...(a.description ? { description: a.description } : {}),
    url: a.url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': a.url },
    isPartOf: { '@id': a.websiteId },
    inLanguage: a.locale,
    ...(entry.publishedAt ? { datePublished: entry.publishedAt } : {}),
    ...(entry.updatedAt || entry.publishedAt ? { dateModified: entry.updatedAt ?? entry.publishedAt } : {}),
    ...(entry.author
      ? { author: { '@type': 'Person', name: entry.author.name, url: entry.author.url } }
      : {}),
    publisher: { '@id': a.publisherId },
    ...(a.image ? { image: a.image } : {}),
    ...(section ? { articleSection: section } : {}),
    ...(keywords.length > 0 ? { keywords: keywords.join(', ') } : {}),
  }
}

function breadcrumbNode(id: string, trail: { name: string; url: string }[]): Node {
  return {
    '@type': 'BreadcrumbList',
    '@id': id,
    itemListElement: trail.map((step, i) => ({
      '@type': 'ListItem',
      position: i + 1,
      name: step.name,
      item: step.url,
    })),
  }
}
