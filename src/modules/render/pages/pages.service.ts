import { createCtx, type Ctx, type CtxLogger, type SiteRef } from '../../../platform/access/index.ts'
import type { Orm } from '../../../platform/db/index.ts'
import { DEFAULT_SEO_SETTINGS } from '../../sites/index.ts'
import { isAppError } from '../../../platform/errors/index.ts'
import type { SecretBox } from '../../../platform/security/index.ts'
import {
  authorTag,
  entryTag,
  listingTag,
  menuTag,
  termTag,
  type CacheTag,
} from '../../../platform/http/cache-tags.ts'
import { urlTextProblem } from '../../../platform/http/index.ts'
import {
  PREVIEW_PATH_SEGMENT,
  READ_PRIVATE,
  ReadingErrors,
  type ListEntriesInput,
  type PreviewsService,
  type PasswordGuard,
  type ReadingEntry,
  type ReadingService,
} from '../../content/index.ts'
import { FEED_CONTENT_TYPES, FEED_WRITERS, type FeedFormat, type FeedModel } from '../feeds/index.ts'
import {
  bySpecificity,
  dateRangeOf,
  listingPagePath,
  matchPermalink,
  parseListingPath,
  parseRequestPath,
  type ListingPath,
  type PermalinkMatch,
} from '../resolve/index.ts'
import {
  chooseTemplate,
  settingValues,
  type PageTemplateFor,
  type ThemeRegistry,
  type ThemeRenderer,
} from '../themes/index.ts'
import { buildSeo, seoLabelsOf, type SeoEntry, type SeoPage } from '../seo/index.ts'
import { readSiteMenus, type SiteMenus } from '../../menus/index.ts'
import { serveSiteDocument } from '../sitemaps/index.ts'
import { cardContext, entryContext, entryPath, menusContext, siteOrigin } from './page-context.ts'
import {
  ENTRY_ACCESS_SECONDS,
  checkEntryAccess,
  entryAccessCookieName,
  issueEntryAccess,
} from './entry-access.ts'
import {
  readEntryPasswordHash,
  readPageRequest,
  type PageSite,
  type PageTerm,
  type PageType,
} from './pages.repo.ts'

/**
 * A public page from a request path (ARCHITECTURE §9, ADR 0017): the path read strictly, then in order
 * the canonical spelling (301), the site's redirect table (its 301/302), an entry by its type's
 * permalink, a listing (the front page, a type's, a term's, an author's or a date's archive, any of their
 * numbered pages, or their feeds), an entry found by its slug under another path (301 to its own), and the
 * theme's 404. Every page is read as an anonymous reader of the site, who may also read private entries
 * when a member signed in on the host may (ADR 0020); previews have their own path. At most four
 * statements: the site with the path's redirect, an entry at the path, a term, a listing's entries.
 */

/** Entries per listing page. */
export const LISTING_PAGE_SIZE = 10
/** Entries per feed. */
export const FEED_SIZE = 20

const FEED_SUFFIXES: Readonly<Record<FeedFormat, string>> = {
  rss: '/feed',
  atom: '/feed/atom',
  json: '/feed/json',
}
const FEED_NAMES: Readonly<Record<FeedFormat, string>> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' }
const FEED_FORMATS = Object.keys(FEED_SUFFIXES) as FeedFormat[]

/** The absolute URLs of the feeds of the listing at `path` (`/` for the site's own). */
function feedUrls(origin: string, path: string): Record<FeedFormat, string> {
  const base = origin + (path === '/' ? '' : path)
  return { rss: base + FEED_SUFFIXES.rss, atom: base + FEED_SUFFIXES.atom, json: base + FEED_SUFFIXES.json }
}

/**
 * What a path answers. Pages and documents carry the cache tags of what they show (platform/http
 * cache-tags.ts): a change to any of those things makes them stale.
 */
export type PageResult =
  | {
      kind: 'page'
      status: 200 | 400 | 403 | 404 | 429
      html: string
      tags: CacheTag[]
      /** False for a page made for one reader (a password form, an unlocked entry): never cached. */
      cacheable?: false
      /** Seconds to wait before trying again (a throttled password form). */
      retryAfter?: number
    }
  | {
      kind: 'document'
      status: 200
      contentType: string
      body: string
      tags: CacheTag[]
      cacheable?: false
    }
  | { kind: 'redirect'; status: 301 | 302 | 303; location: string; cookie?: PageCookie }

/** A cookie a page sets: HttpOnly, SameSite=Lax, Secure on an HTTPS network. */
export interface PageCookie {
  name: string
  value: string
  /** The path it is sent back on. */
  path: string
  maxAgeSeconds: number
  secure: boolean
}

export interface PageRequest {
  site: SiteRef
  /** The request URL as received (path and query). */
  url: string
  requestId: string
  ip: string | null
  log: CtxLogger
  /** The value of a cookie the request carries, by name. */
  cookie?: (name: string) => string | undefined
  /** A signed-in reader (a session on this host); absent for an anonymous one. */
  reader?: PageReader
}

/** A signed-in reader: their name, and what they may do on the page's site. */
export interface PageReader {
  name: string
  capabilities: ReadonlySet<string>
}

/** What templates know of the reader (`reader`), with the addresses that sign in and out. */
interface ReaderContext {
  signedIn: boolean
  name: string
  signInUrl: string
  signOutUrl: string
}

export interface PagesServiceDeps {
  orm: Orm
  /** Seals the proofs readers get for entry passwords (entry-access.ts). */
  box: SecretBox
  /** Opens preview links (content's preview service); without it `/_preview/…` is a 404. */
  previews?: Pick<PreviewsService, 'open'>
  reading: ReadingService
  themes: ThemeRegistry
  /** The network's public URL: the scheme and port of every site's origin, the host of the main site's. */
  publicUrl: string
}

export type PagesService = ReturnType<typeof createPagesService>

/** Entry fields a page shows (the body as sanitised HTML, never the editor's JSON). */
const ENTRY_FIELDS = 'id,type,slug,title,excerpt,bodyHtml,publishedAt,updatedAt,seo,visibility'

export function createPagesService(deps: PagesServiceDeps) {
  const publicUrl = new URL(deps.publicUrl)

  /**
   * Pages are read as an anonymous reader of the request's site, who may also read private entries when
   * the signed-in reader may (a member allowed to): never drafts, whoever asks (editors use preview
   * links). `public`: what every reader sees, for feeds and sitemaps.
   */
  function readerCtx(q: PageRequest, as: 'reader' | 'public' = 'reader'): Ctx {
    const privateToo = as === 'reader' && q.reader?.capabilities.has(READ_PRIVATE) === true
    return createCtx({
      orm: deps.orm,
      actor: { kind: 'anonymous' },
      capabilities: privateToo ? [READ_PRIVATE] : [],
      site: q.site,
      requestId: q.requestId,
      ip: q.ip,
      log: q.log,
    })
  }

  async function render(q: PageRequest): Promise<PageResult> {
    const result = await resolvePage(q)
    // A signed-in reader's page may show what others may not see: it is theirs alone.
    return q.reader && result.kind !== 'redirect' ? { ...result, cacheable: false } : result
  }

  async function resolvePage(q: PageRequest): Promise<PageResult> {
    const ctx = readerCtx(q)
    const everyone = q.reader ? readerCtx(q, 'public') : ctx
    const parsed = parseRequestPath(q.url)
    const read = await readPageRequest(
      ctx.read,
      q.site.id,
      parsed.ok ? parsed.canonical : undefined,
      parsed.ok ? termCandidate(parsed.segments) : undefined,
    )
    // The host directory let the request in; a site that went away since answers like an unknown path.
    if (!read) return notFound(undefined, 404, 'not-found')
    const { site, redirect, term } = read
    const origin = siteOrigin(site, publicUrl)
    // A query string whose text does not decode is refused like such a path.
    if (!parsed.ok || urlTextProblem(q.url) !== null) return notFound(site, 400, 'bad-request')
    const query = q.url.includes('?') ? q.url.slice(q.url.indexOf('?')) : ''
    if (!parsed.isCanonical) return { kind: 'redirect', status: 301, location: parsed.canonical + query }
    if (redirect)
      return { kind: 'redirect', status: redirect.statusCode === 302 ? 302 : 301, location: redirect.toPath }
    // robots.txt and the sitemaps: names no entry can have (slugs have no dot).
    const document = await serveSiteDocument(everyone, site, origin, parsed.canonical)
    if (document) return { kind: 'document', ...document, tags: siteDocumentTags(site) }
    const listing = parseListingPath(parsed.segments, {
      typeKeys: listedTypes(site).map((t) => t.key),
      taxonomyKeys: Object.keys(site.taxonomies),
    })
    const where: Where = {
      site,
      origin,
      typeOf: (key) => site.types.find((t) => t.key === key),
      menus: listing?.feed ? undefined : menusOf(ctx, site),
      reader: readerContext(origin, q.reader, parsed.canonical + query),
    }

    const [first, token, ...rest] = parsed.segments
    if (first === PREVIEW_PATH_SEGMENT && token !== undefined && rest.length === 0)
      return previewPage(q, where, token)
    if (parsed.segments.length === 0 && site.frontPageEntryId !== null) {
      const front = await frontEntry(ctx, where, site.frontPageEntryId)
      if (front) return front
    }
    const found = parsed.segments.length === 0 ? undefined : await findEntry(ctx, site, parsed.canonical)
    if (found && !found.moved) {
      // The entry the front page shows has one address: the front page's.
      if (found.entry.id === site.frontPageEntryId && found.entry.visibility === 'public')
        return { kind: 'redirect', status: 301, location: '/' }
      // A private entry is found for members allowed to read it only: their own page, never indexed.
      if (found.entry.visibility === 'private')
        return entryPage(where, found.entry, found.type, { personal: true })
      if (found.entry.visibility !== 'password') return entryPage(where, found.entry, found.type)
      return protectedEntryPage(ctx, where, found.entry, found.type, q)
    }
    // A listing's path is the listing unless an entry lives exactly there; an entry merely named like it
    // elsewhere does not take it over.
    if (listing) {
      if (!listing.canonicalPage) return { kind: 'redirect', status: 301, location: listing.path + query }
      // Feeds are public documents: members' private entries never enter them.
      const shown = await listingPage(listing.feed ? everyone : ctx, where, listing, term)
      if (shown) return shown
    }
    if (found) return { kind: 'redirect', status: 301, location: found.path }
    return notFound(where, 404, 'not-found')
  }

  /**
   * The site's menus, started at once so their statement shares the round trip of the page's own; a
   * failure surfaces where they are awaited (a page without its menus is not shown).
   */
  function menusOf(ctx: Ctx, site: PageSite): Promise<SiteMenus> {
    const menus = readSiteMenus(ctx.read, site.id)
    // Marked handled: a page that ends before needing them (a redirect) must not leave a stray rejection.
    menus.catch(() => undefined)
    return menus
  }

  /**
   * The entry chosen to be the front page, when readers may see it (published and public): else
   * undefined, and the front page lists the latest entries.
   */
  async function frontEntry(ctx: Ctx, where: Where, id: string): Promise<PageResult | undefined> {
    let entry: ReadingEntry
    try {
      entry = await deps.reading.get(ctx, id, {
        fields: ENTRY_FIELDS,
        include: 'author,terms,ancestors,media',
      })
    } catch (err) {
      // Gone, unpublished or private (404), or protected (403): not something to greet readers with.
      if (isAppError(err) && err.status < 500) return undefined
      throw err
    }
    const type = entry.type === undefined ? undefined : where.typeOf(entry.type)
    if (!type || entry.visibility !== 'public') return undefined
    return entryPage(where, entry, type, { asFront: true })
  }

  /**
   * An entry's page. `personal`: shown to one reader (an opened password, a preview link): never cached,
   * never indexed. `asFront`: the entry chosen as the front page, at `/`. `preview`: through a preview
   * link, until it expires (the theme may say so).
   */
  async function entryPage(
    where: Where,
    entry: ReadingEntry,
    type: PageType,
    options: { personal?: boolean; asFront?: boolean; preview?: { expiresAt: string } } = {},
  ): Promise<PageResult> {
    const { personal = false, asFront = false } = options
    const seo = entry.seo ?? {}
    const context = { ...entryContext(entry, where), ...(asFront && { url: `${where.origin}/` }) }
    const tags = [
      entryTag(entry.id),
      ...(entry.author ? [authorTag(entry.author.id)] : []),
      ...Object.values(entry.terms ?? {}).flatMap((items) => items.map((t) => termTag(t.id))),
      ...(entry.ancestors ?? []).flatMap((a) => (a.id ? [entryTag(a.id)] : [])),
    ]
    return html(
      where,
      asFront
        ? { kind: 'front-entry', type: type.key, slug: entry.slug ?? '' }
        : { kind: 'entry', type: type.key, slug: entry.slug ?? '' },
      200,
      // Changing which entry is the front page is a settings write: it clears the whole site.
      tags,
      {
        page: {
          kind: 'entry',
          title: seo.metaTitle || context.title,
          canonicalUrl: context.url,
          description: seo.metaDescription || context.excerpt,
          status: 200,
          // Content behind a password or a preview link is for its readers, never for search engines.
          noindex: seo.noindex === true || personal,
          feeds: [],
          preview: options.preview ?? null,
        },
        entry: context,
      },
      {
        page: {
          kind: 'entry',
          title: context.title,
          canonicalUrl: context.url,
          description: '',
          noindex: personal,
        },
        entry: { ...context, hierarchical: type.hierarchical, seo },
      },
    ).then((result) => (personal && result.kind === 'page' ? { ...result, cacheable: false } : result))
  }

  /**
   * A password-protected entry: its content for a reader whose cookie proves the password, else its
   * password form (never cached, never indexed).
   */
  async function protectedEntryPage(
    ctx: Ctx,
    where: Where,
    entry: ReadingEntry,
    type: PageType,
    q: PageRequest,
  ): Promise<PageResult> {
    const token = q.cookie?.(entryAccessCookieName(entry.id))
    if (token !== undefined) {
      const passwordHash = await readEntryPasswordHash(ctx.read, where.site.id, entry.id)
      if (passwordHash !== undefined && checkEntryAccess(deps.box, token, { id: entry.id, passwordHash }))
        return entryPage(where, entry, type, { personal: true })
    }
    return passwordForm(where, entry, type, { status: 200 })
  }

  async function passwordForm(
    where: Where,
    entry: ReadingEntry,
    type: PageType,
    outcome: { status: 200 | 403 | 429; retryAfter?: number },
  ): Promise<PageResult> {
    const context = entryContext({ ...entry, bodyHtml: '', excerpt: '' }, where)
    const result = await html(
      where,
      { kind: 'entry', type: type.key, slug: entry.slug ?? '' },
      outcome.status,
      [entryTag(entry.id)],
      {
        page: {
          kind: 'entry',
          title: context.title,
          canonicalUrl: context.url,
          description: '',
          status: outcome.status,
          noindex: true,
          feeds: [],
        },
        // The title and date only: terms and ancestors stay with the content.
        entry: { ...context, terms: [], locked: true },
        passwordForm: {
          error: outcome.status === 403 ? 'wrong' : outcome.status === 429 ? 'throttled' : null,
        },
      },
      {
        page: {
          kind: 'entry',
          title: context.title,
          canonicalUrl: context.url,
          description: '',
          noindex: true,
        },
      },
    )
    if (result.kind !== 'page') return result
    return {
      ...result,
      cacheable: false,
      ...(outcome.retryAfter !== undefined && { retryAfter: outcome.retryAfter }),
    }
  }

  /**
   * A reader's password for the protected entry at the request's path. Right: a 303 back to the entry
   * with a cookie that proves it. Wrong or throttled (`guard`, per client and per entry, shared with the
   * API's X-Entry-Password): the form again, with 403 or 429. A path with no protected entry is 404.
   */
  async function unlock(
    q: PageRequest,
    password: string,
    guardFor: (entry: { siteId: string; entryId: string }) => PasswordGuard,
  ): Promise<PageResult> {
    const ctx = readerCtx(q)
    const parsed = parseRequestPath(q.url)
    const read = await readPageRequest(ctx.read, q.site.id)
    if (!read) return notFound(undefined, 404, 'not-found')
    const { site } = read
    if (!parsed.ok || urlTextProblem(q.url) !== null) return notFound(site, 400, 'bad-request')
    const found = parsed.segments.length === 0 ? undefined : await findEntry(ctx, site, parsed.canonical)
    if (!found || found.moved || found.entry.visibility !== 'password')
      return notFound(site, 404, 'not-found')
    const { entry, type } = found
    const where: Where = {
      site,
      origin: siteOrigin(site, publicUrl),
      typeOf: (key) => site.types.find((t) => t.key === key),
      menus: menusOf(ctx, site),
    }
    try {
      await deps.reading.get(ctx, entry.id, {
        fields: 'id',
        password: { text: password, guard: guardFor({ siteId: site.id, entryId: entry.id }) },
      })
    } catch (err) {
      if (!isAppError(err)) throw err
      if (err.code === ReadingErrors.entryProtected.code)
        return passwordForm(where, entry, type, { status: 403 })
      if (err.code === ReadingErrors.passwordThrottled.code) {
        const retryAfter = (err.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds
        return passwordForm(where, entry, type, {
          status: 429,
          ...(retryAfter !== undefined && { retryAfter }),
        })
      }
      throw err
    }
    const passwordHash = await readEntryPasswordHash(ctx.read, site.id, entry.id)
    if (passwordHash === undefined) return notFound(site, 404, 'not-found')
    return {
      kind: 'redirect',
      status: 303,
      location: found.path,
      cookie: {
        name: entryAccessCookieName(entry.id),
        value: issueEntryAccess(deps.box, { id: entry.id, passwordHash }),
        path: found.path,
        maxAgeSeconds: ENTRY_ACCESS_SECONDS,
        secure: publicUrl.protocol === 'https:',
      },
    }
  }

  /**
   * A listing's page or feed, or undefined when there is no such listing (an unknown term, an author or
   * a date with nothing published) or no such page of it.
   */
  async function listingPage(
    ctx: Ctx,
    where: Where,
    at: ListingPath,
    term: PageTerm | undefined,
  ): Promise<PageResult | undefined> {
    const listing = describeListing(where, at, term)
    if (!listing) return undefined
    if (at.feed) return feed(ctx, where, at, listing)
    const entries = await deps.reading.list(
      ctx,
      { ...listing.filter, include: 'author,ancestors,media', fields: 'summary', limit: LISTING_PAGE_SIZE },
      { offset: (at.page - 1) * LISTING_PAGE_SIZE },
    )
    if (entries.items.length === 0 && (at.page > 1 || listing.emptyIsMissing)) return undefined
    const { site, origin } = where
    const titled = { ...listing, title: listing.title || authorName(entries.items) }
    const urls = feedUrls(origin, at.path)
    return html(
      where,
      listing.template,
      200,
      [...listing.tags, ...shownTags(entries.items)],
      {
        page: {
          kind: listing.template.kind,
          title: titled.title,
          canonicalUrl: origin + listingPagePath(at.path, at.page),
          description: listing.description,
          status: 200,
          noindex: false,
          // The site's own feeds are linked from every page; a listing adds its own.
          feeds: at.target.kind === 'front' ? [] : feedLinks(`${site.name} – ${titled.title}`, urls),
        },
        archive: {
          kind: at.target.kind,
          title: titled.title,
          description: listing.description,
          label: at.target.kind === 'term' ? (site.taxonomies[at.target.taxonomy] ?? '') : '',
        },
        entries: entries.items.map((e) => cardContext(e, where)),
        pagination: {
          page: at.page,
          previousUrl: at.page > 1 ? origin + listingPagePath(at.path, at.page - 1) : null,
          nextUrl: entries.nextCursor !== null ? origin + listingPagePath(at.path, at.page + 1) : null,
        },
      },
      {
        page: {
          kind: listing.template.kind,
          title: titled.title,
          canonicalUrl: origin + listingPagePath(at.path, at.page),
          description: listing.description,
          noindex: false,
          pageNumber: at.page,
        },
      },
    )
  }

  /** What a listing path lists, and how its page is named and tagged; undefined if it names nothing. */
  function describeListing(where: Where, at: ListingPath, term: PageTerm | undefined): Listing | undefined {
    const { site } = where
    const target = at.target
    const listed = listedTypes(site)
    const byType = typeFilter(site)
    // Any publication of any type may enter a term's, an author's or a date's archive.
    const anyListing = site.types.map((t) => listingTag(site.id, t.key))
    switch (target.kind) {
      case 'front':
        return {
          template: { kind: 'front' },
          title: '',
          description: site.tagline,
          filter: byType,
          tags: listed.map((t) => listingTag(site.id, t.key)),
          emptyIsMissing: false,
        }
      case 'type': {
        const type = where.typeOf(target.type)
        if (!type) return undefined
        return {
          template: { kind: 'archive', type: type.key },
          title: type.name,
          description: '',
          filter: { type: type.key },
          tags: [listingTag(site.id, type.key)],
          emptyIsMissing: false,
        }
      }
      case 'term': {
        if (!term) return undefined
        return {
          template: { kind: 'taxonomy', taxonomy: target.taxonomy, term: target.slug },
          title: term.name,
          description: term.description,
          filter: { term: [term.id] },
          tags: [termTag(term.id), ...anyListing],
          emptyIsMissing: false,
        }
      }
      case 'author':
        return {
          template: { kind: 'author', author: target.userId },
          // Named after the author of the entries found: an author with nothing published has no archive.
          title: '',
          description: '',
          filter: { ...byType, author: target.userId },
          tags: [authorTag(target.userId), ...anyListing],
          emptyIsMissing: true,
        }
      case 'date': {
        const range = dateRangeOf(target, site.timeZone)
        return {
          template: { kind: 'date' },
          title: dateTitle(target, site.locale),
          description: '',
          filter: { ...byType, publishedAfter: range.from, publishedBefore: range.to },
          tags: anyListing,
          emptyIsMissing: true,
        }
      }
    }
  }

  async function feed(ctx: Ctx, where: Where, at: ListingPath, listing: Listing): Promise<PageResult> {
    const { site, origin } = where
    const format = at.feed ?? 'rss'
    const page = await deps.reading.list(ctx, {
      ...listing.filter,
      include: 'author,terms,ancestors',
      fields: 'summary,bodyHtml',
      limit: FEED_SIZE,
    })
    const title = listing.title || authorName(page.items)
    const model: FeedModel = {
      // One id per feed, the same for its three formats: the site's own, or the site's and the listing's path.
      id: at.path === '/' ? `urn:uuid:${site.id}` : `urn:uuid:${site.id}:${at.path}`,
      title: title ? `${site.name} – ${title}` : site.name,
      description: listing.description || site.tagline,
      language: site.locale,
      homeUrl: origin + at.path,
      urls: feedUrls(origin, at.path),
      items: page.items.map((e) => {
        const published = e.publishedAt ?? e.updatedAt ?? new Date(0).toISOString()
        const updated = e.updatedAt && e.updatedAt > published ? e.updatedAt : published
        return {
          id: `urn:uuid:${e.id}`,
          url: cardContext(e, where).url,
          title: e.title ?? '',
          summary: e.excerpt ?? '',
          contentHtml: e.bodyHtml ?? '',
          published,
          updated,
          author: e.author?.name ?? null,
          categories: Object.values(e.terms ?? {}).flatMap((items) =>
            items.map((t) => ({ term: t.slug, label: t.name })),
          ),
        }
      }),
    }
    return {
      kind: 'document',
      status: 200,
      contentType: FEED_CONTENT_TYPES[format],
      body: FEED_WRITERS[format](model),
      tags: [...listing.tags, ...shownTags(page.items)],
    }
  }

  /**
   * The entry `path` names: the types whose template the path fits, most specific first, then the
   * entries of those types with the slug it gives (one statement per distinct slug, which is one in
   * practice). The entry whose own path is `path` wins; failing that, an entry found by its slug whose
   * path differs (a wrong date or parent) is `moved` there.
   */
  async function findEntry(
    ctx: Ctx,
    site: PageSite,
    path: string,
  ): Promise<{ entry: ReadingEntry; type: PageType; path: string; moved: boolean } | undefined> {
    const candidates = [...site.types]
      .map((t) => ({ typeKey: t.key, template: t.permalink, type: t }))
      .sort(bySpecificity)
      .map((c) => ({ type: c.type, match: matchPermalink(c.template, c.typeKey, path) }))
      .filter(
        (c): c is { type: PageType; match: PermalinkMatch & { slug: string } } => c.match?.slug !== undefined,
      )
    const slugs = [...new Set(candidates.map((c) => c.match.slug))].slice(0, 3)
    let moved: { entry: ReadingEntry; type: PageType; path: string } | undefined
    for (const slug of slugs) {
      const types = candidates.filter((c) => c.match.slug === slug).map((c) => c.type)
      const page = await deps.reading.list(
        ctx,
        {
          type: types.map((t) => t.key).join(','),
          slug,
          include: 'author,terms,ancestors,media',
          fields: ENTRY_FIELDS,
          limit: types.length,
        },
        { protectedToo: true },
      )
      for (const type of types) {
        const entry = page.items.find((e) => e.type === type.key)
        if (!entry) continue
        const own = entryPath(entry, type, site.timeZone)
        if (own === path) return { entry, type, path: own, moved: false }
        moved ??= { entry, type, path: own }
      }
    }
    return moved && { ...moved, moved: true }
  }

  async function html(
    at: { site: PageSite; menus?: Promise<SiteMenus> | undefined; reader?: ReaderContext | undefined },
    page: PageTemplateFor,
    status: 200 | 400 | 403 | 404 | 429,
    tags: CacheTag[],
    scope: Record<string, unknown>,
    seo: { page: SeoPage; entry?: SeoEntry },
  ): Promise<PageResult> {
    const { site } = at
    // The site's theme; the default one when it has none or its own cannot load (recorded as its error).
    const renderer = await deps.themes.forSite({
      siteId: site.id,
      themeId: site.theme?.id ?? null,
      version: site.theme?.version ?? null,
    })
    // Settings belong to the theme they were chosen for, not to the one standing in for it.
    const stored = site.theme && renderer.theme.manifest.id === site.theme.id ? site.theme.settings : {}
    const template = chooseTemplate(renderer.has, page)
    const origin = siteOrigin(site, publicUrl)
    // A site whose indexing a network admin discouraged says noindex on every page.
    const shown =
      site.discourageIndexing && isRecord(scope.page)
        ? { ...scope, page: { ...scope.page, noindex: true } }
        : scope
    const head = buildSeo({
      site: { name: site.name, tagline: site.tagline, locale: site.locale, origin, settings: site.seo },
      labels: seoLabelsOf(renderer.theme, site.locale),
      page: site.discourageIndexing ? { ...seo.page, noindex: true } : seo.page,
      ...(seo.entry && { entry: seo.entry }),
    })
    const out = await renderer.render(
      template,
      {
        ...shown,
        seo: head,
        menus: menusContext(
          (await at.menus) ?? {},
          { site, origin, typeOf: (key) => site.types.find((t) => t.key === key) },
          seo.page.canonicalUrl,
        ),
        theme: { settings: settingValues(renderer.theme.manifest, stored) },
        reader: at.reader ?? readerContext(origin, undefined, '/'),
      },
      {
        name: site.name,
        tagline: site.tagline,
        url: origin,
        locale: site.locale,
        timeZone: site.timeZone,
        feeds: feedLinks(site.name, feedUrls(origin, '/')),
      },
    )
    // Every page shows the site's menus.
    return { kind: 'page', status, html: out, tags: [...tags, menuTag(site.id)] }
  }

  /** The theme's 404 (or 400) page: of `at`'s site with its menus, or of no site at all. */
  async function notFound(
    at: PageSite | Where | undefined,
    status: 400 | 404,
    kind: 'not-found' | 'bad-request',
  ): Promise<PageResult> {
    const where = at !== undefined && 'typeOf' in at ? at : undefined
    const shown = where?.site ?? (at as PageSite | undefined) ?? NO_SITE
    // A missing page appears when something is published at its path: any publication makes it stale.
    const tags = shown.types.map((t) => listingTag(shown.id, t.key))
    return html(
      { site: shown, menus: where?.menus, reader: where?.reader },
      { kind: 'not-found' },
      status,
      tags,
      {
        page: {
          kind,
          // The theme names error pages in the site's language.
          title: '',
          canonicalUrl: null,
          description: '',
          status,
          noindex: true,
          feeds: [],
        },
      },
      { page: { kind, title: '', canonicalUrl: null, description: '', noindex: true } },
    )
  }

  /** The canonical origin of `ctx`'s site (for links handed out by the API). */
  async function originOf(ctx: Ctx): Promise<string> {
    const site = ctx.site ? (await readPageRequest(ctx.read, ctx.site.id))?.site : undefined
    return site ? siteOrigin(site, publicUrl) : publicUrl.origin
  }

  /** The canonical origin of the live site `siteId` (the sign-in handoff's destination), else undefined. */
  async function originOfSite(siteId: string, log: CtxLogger): Promise<string | undefined> {
    const ctx = readerCtx({
      site: { id: siteId, slug: '', name: '' },
      url: '/',
      requestId: '',
      ip: null,
      log,
    })
    const site = (await readPageRequest(ctx.read, siteId))?.site
    return site ? siteOrigin(site, publicUrl) : undefined
  }

  /**
   * An entry through its preview link (`/_preview/<token>`): its latest saved content, never cached,
   * never indexed; a link that is unknown, revoked or expired is the theme's 404.
   */
  async function previewPage(q: PageRequest, where: Where, token: string): Promise<PageResult> {
    const opened = deps.previews ? await deps.previews.open(deps.orm, q.site, token, q.log) : undefined
    const type = opened?.entry.type === undefined ? undefined : where.typeOf(opened.entry.type)
    if (!opened || !type) {
      const missing = await notFound(where, 404, 'not-found')
      return missing.kind === 'page' ? { ...missing, cacheable: false } : missing
    }
    return entryPage(where, opened.entry, type, { personal: true, preview: { expiresAt: opened.expiresAt } })
  }

  /** The theme the request's site uses (its assets are served by content hash). */
  async function themeOf(q: PageRequest): Promise<ThemeRenderer> {
    const read = await readPageRequest(readerCtx(q).read, q.site.id)
    const theme = read?.site.theme
    return deps.themes.forSite({
      siteId: q.site.id,
      themeId: theme?.id ?? null,
      version: theme?.version ?? null,
      path: q.url,
      requestId: q.requestId,
    })
  }

  return { render, unlock, themeOf, originOf, originOfSite }
}

/** What a 404 shows when the site itself is gone: the network's bare page. */
const NO_SITE: PageSite = {
  id: '',
  name: '',
  tagline: '',
  locale: 'en',
  timeZone: 'UTC',
  isMain: true,
  primaryHost: null,
  types: [],
  taxonomies: {},
  discourageIndexing: false,
  theme: null,
  seo: DEFAULT_SEO_SETTINGS,
  frontPageEntryId: null,
}

interface Where {
  site: PageSite
  origin: string
  typeOf: (key: string) => PageType | undefined
  /** The site's menus, read alongside the page's other statements (feeds need none). */
  menus?: Promise<SiteMenus> | undefined
  /** Who reads the page (signed in or not), as templates see it. */
  reader?: ReaderContext
}

/**
 * The reader as templates see it, with the addresses that sign in (back to `path` afterwards) and out
 * (ADR 0020).
 */
function readerContext(origin: string, reader: PageReader | undefined, path: string): ReaderContext {
  return {
    signedIn: reader !== undefined,
    name: reader?.name ?? '',
    signInUrl: `${origin}/_signin?next=${encodeURIComponent(path)}`,
    signOutUrl: `${origin}/_signout`,
  }
}

/** A listing as its page and feed need it. */
interface Listing {
  template: Extract<PageTemplateFor, { kind: 'front' | 'archive' | 'taxonomy' | 'author' | 'date' }>
  /** Empty for the front page, and for an author's archive until its entries name the author. */
  title: string
  description: string
  filter: Partial<ListEntriesInput>
  tags: CacheTag[]
  /** Whether a first page with no entries means there is no such listing (authors, dates). */
  emptyIsMissing: boolean
}

/**
 * The term a path would show if its first segment is a taxonomy key (`/<taxonomy>/<slug>`, with a page
 * number or a feed after it): read with the site in the same statement, before the site's taxonomy keys
 * are known.
 */
function termCandidate(segments: readonly string[]): { taxonomy: string; slug: string } | undefined {
  const first = segments[0]
  if (first === undefined) return undefined
  const target = parseListingPath(segments, { typeKeys: [], taxonomyKeys: [first] })?.target
  return target?.kind === 'term' ? { taxonomy: target.taxonomy, slug: target.slug } : undefined
}

/** The types whose entries are listed (dated writing; pages arranged in a tree are not). */
function listedTypes(site: PageSite): PageType[] {
  return site.types.filter((t) => !t.hierarchical)
}

/**
 * The type filter that lists `listedTypes`: none when every type is listed (so a site with many types
 * stays under the reading API's limit on named types), else their keys.
 */
function typeFilter(site: PageSite): Partial<ListEntriesInput> {
  const listed = listedTypes(site)
  if (listed.length === site.types.length) return {}
  // No listed type: a type key no site can have (keys are lower-case), so the listing is empty.
  return { type: listed.length === 0 ? '_' : listed.map((t) => t.key).join(',') }
}

/**
 * What robots.txt and the sitemaps show: every listed entry and term of the site, so any publication
 * (the listing tags) or term change may alter them; the site tag covers settings.
 */
function siteDocumentTags(site: PageSite): CacheTag[] {
  return site.types.map((t) => listingTag(site.id, t.key))
}

/** Cache tags of the entries a listing shows and of their authors. */
function shownTags(items: readonly ReadingEntry[]): CacheTag[] {
  return items.flatMap((e) => [entryTag(e.id), ...(e.author ? [authorTag(e.author.id)] : [])])
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function authorName(items: readonly ReadingEntry[]): string {
  return items.find((e) => e.author)?.author?.name ?? ''
}

function feedLinks(title: string, urls: Record<FeedFormat, string>) {
  return FEED_FORMATS.map((format) => ({
    type: FEED_CONTENT_TYPES[format].split(';')[0],
    title: `${title} (${FEED_NAMES[format]})`,
    url: urls[format],
  }))
}

/** A date archive's name in the site's language: "2026", "March 2026", "9 March 2026". */
function dateTitle(date: { year: number; month?: number; day?: number }, locale: string): string {
  const at = new Date(Date.UTC(date.year, (date.month ?? 1) - 1, date.day ?? 1))
  const options: Intl.DateTimeFormatOptions =
    date.month === undefined
      ? { year: 'numeric' }
      : date.day === undefined
        ? { year: 'numeric', month: 'long' }
        : { dateStyle: 'long' }
  try {
    return new Intl.DateTimeFormat(locale, { ...options, timeZone: 'UTC' }).format(at)
  } catch {
    return new Intl.DateTimeFormat('en', { ...options, timeZone: 'UTC' }).format(at)
  }
}
