import { permalinkOf, type ReadingEntry } from '../../content/index.ts'
import type { PageSite, PageType } from './pages.repo.ts'

/**
 * The data themes see (docs/themes.md), made from what the reading API returned: plain objects of
 * strings, numbers, booleans and arrays, nothing a template could call. Pure functions.
 */

/**
 * The site's canonical origin: the network's public scheme and port with the site's primary host, or
 * the network's own host for the main site. Never the request's `Host` (which a client chooses).
 */
export function siteOrigin(site: Pick<PageSite, 'primaryHost' | 'isMain'>, publicUrl: URL): string {
  if (site.primaryHost === null || site.isMain) return publicUrl.origin
  const port = publicUrl.port === '' ? '' : `:${publicUrl.port}`
  return `${publicUrl.protocol}//${site.primaryHost}${port}`
}

const DATED = /\{(year|month|day)\}/

/** The entry's canonical path under its type's permalink template. */
export function entryPath(entry: ReadingEntry, type: PageType, timeZone: string): string {
  return permalinkOf({
    template: type.permalink,
    slug: entry.slug ?? '',
    ancestors: (entry.ancestors ?? []).map((a) => a.slug),
    publishedAt: entry.publishedAt ? new Date(entry.publishedAt) : null,
    id: entry.id,
    typeKey: type.key,
    timeZone,
  })
}

export interface CardContext {
  id: string
  type: string
  typeName: string
  title: string
  excerpt: string
  publishedAt: string | null
  url: string
  author: { name: string } | null
}

export interface EntryContext extends Omit<CardContext, 'url'> {
  slug: string
  bodyHtml: string
  updatedAt: string | null
  url: string
  terms: { taxonomy: string; taxonomyName: string; items: { name: string; slug: string }[] }[]
  ancestors: { title: string; url: string | null }[]
}

interface Where {
  site: PageSite
  origin: string
  typeOf: (key: string) => PageType | undefined
}

export function cardContext(entry: ReadingEntry, where: Where): CardContext {
  const type = where.typeOf(entry.type ?? '')
  return {
    id: entry.id,
    type: entry.type ?? '',
    typeName: type?.name ?? entry.type ?? '',
    title: entry.title ?? '',
    excerpt: entry.excerpt ?? '',
    publishedAt: entry.publishedAt ?? null,
    url: type ? where.origin + entryPath(entry, type, where.site.timeZone) : where.origin,
    author: entry.author ? { name: entry.author.name } : null,
  }
}

export function entryContext(entry: ReadingEntry, where: Where): EntryContext {
  const terms = Object.entries(entry.terms ?? {})
    .filter(([, items]) => items.length > 0)
    .map(([taxonomy, items]) => ({
      taxonomy,
      taxonomyName: where.site.taxonomies[taxonomy] ?? taxonomy,
      items: items.map((t) => ({ name: t.name, slug: t.slug })),
    }))
  const chain = entry.ancestors ?? []
  const ancestors = chain.flatMap((a, i) => {
    if (!a.visible || a.title === null) return []
    const type = a.type === null ? undefined : where.typeOf(a.type)
    // An ancestor's own path needs its publication date when its template has date tokens; the
    // include does not carry it, so such an ancestor is named without a link.
    const url =
      type && !DATED.test(type.permalink)
        ? where.origin +
          permalinkOf({
            template: type.permalink,
            slug: a.slug,
            ancestors: chain.slice(0, i).map((b) => b.slug),
            publishedAt: null,
            id: a.id ?? '',
            typeKey: type.key,
          })
        : null
    return [{ title: a.title, url }]
  })
  return {
    ...cardContext(entry, where),
    slug: entry.slug ?? '',
    bodyHtml: entry.bodyHtml ?? '',
    updatedAt: entry.updatedAt ?? null,
    terms,
    ancestors,
  }
}
