import { permalinkOf, type MediaInclude, type ReadingEntry } from '../../content/index.ts'
import type { MenuNode, MenuTarget, SiteMenus } from '../../menus/index.ts'
import { authorArchivePath, termArchivePath, typeArchivePath } from '../resolve/index.ts'
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
  /** The author's name and archive. */
  author: { name: string; url: string } | null
  /** Visible to signed-in members only (templates may say so). */
  private: boolean
  /** The featured image (a media item, for the `image` filter), or null. */
  image: MediaInclude | null
}

export interface EntryContext extends Omit<CardContext, 'url'> {
  slug: string
  bodyHtml: string
  updatedAt: string | null
  url: string
  /** The entry's terms by taxonomy, each with its archive's URL. */
  terms: { taxonomy: string; taxonomyName: string; items: { name: string; slug: string; url: string }[] }[]
  ancestors: { title: string; url: string | null }[]
  /** Every media item the entry shows (featured, fields, body), each with `via` saying how. */
  media: MediaInclude[]
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
    author: entry.author
      ? { name: entry.author.name, url: where.origin + authorArchivePath(entry.author.id) }
      : null,
    private: entry.visibility === 'private',
    image: entry.media?.find((m) => m.via.includes('featured')) ?? null,
  }
}

export function entryContext(entry: ReadingEntry, where: Where): EntryContext {
  const terms = Object.entries(entry.terms ?? {})
    .filter(([, items]) => items.length > 0)
    .map(([taxonomy, items]) => ({
      taxonomy,
      taxonomyName: where.site.taxonomies[taxonomy] ?? taxonomy,
      items: items.map((t) => ({
        name: t.name,
        slug: t.slug,
        url: where.origin + termArchivePath(taxonomy, t.slug),
      })),
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
    media: entry.media ?? [],
  }
}

/** A menu item as templates see it (`menus.<location>`). */
export interface MenuItemContext {
  label: string
  /** Absolute for the site's own pages; a custom link as it was saved. */
  url: string
  /** The item links to the page being shown. */
  current: boolean
  /** An item below it links to the page being shown. */
  currentAncestor: boolean
  children: MenuItemContext[]
}

/** The site's placed menus with their URLs; `currentUrl` is the page's canonical URL. */
export function menusContext(
  menus: SiteMenus,
  where: Where,
  currentUrl: string | null,
): Record<string, MenuItemContext[]> {
  const itemOf = (node: MenuNode): MenuItemContext | undefined => {
    const url = menuUrl(node.target, where)
    if (url === undefined) return undefined
    const children = node.children.flatMap((child) => itemOf(child) ?? [])
    return {
      label: node.label,
      url,
      current: currentUrl !== null && url === currentUrl,
      currentAncestor: children.some((c) => c.current || c.currentAncestor),
      children,
    }
  }
  return Object.fromEntries(
    Object.entries(menus).map(([location, nodes]) => [location, nodes.flatMap((n) => itemOf(n) ?? [])]),
  )
}

/** Where a menu item leads; undefined when its target has no page on the site any more. */
function menuUrl(target: MenuTarget, where: Where): string | undefined {
  switch (target.kind) {
    case 'entry': {
      const type = where.typeOf(target.entry.type)
      if (!type) return undefined
      return (
        where.origin +
        permalinkOf({
          template: type.permalink,
          slug: target.entry.slug,
          ancestors: target.entry.ancestors,
          publishedAt: target.entry.publishedAt,
          id: target.entry.id,
          typeKey: type.key,
          timeZone: where.site.timeZone,
        })
      )
    }
    case 'term':
      return where.origin + termArchivePath(target.taxonomy, target.slugs[target.slugs.length - 1] ?? '')
    case 'archive':
      return where.origin + typeArchivePath(target.type)
    case 'custom':
      // A site path is on the site's canonical origin; other links stay as saved.
      return target.url.startsWith('/') ? where.origin + target.url : target.url
  }
}
