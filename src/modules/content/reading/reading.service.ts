import { can, requireSite, type Ctx } from '../../../platform/access/index.ts'
import { pageOf, type Page } from '../../../platform/db/index.ts'
import { verifyPassword } from '../../../platform/security/index.ts'
import { audienceOf, passwordRequired } from '../audience.repo.ts'
import { ContentErrors } from '../content.errors.ts'
import { ENTRY_STATUSES } from '../content.model.ts'
import {
  ENTRY_FIELDS,
  columnsOfFields,
  sparseEntryView,
  type EntryField,
  type EntryView,
} from '../entries/index.ts'
import {
  findEntryForReading,
  listEntriesForReading,
  type Audience,
  type AncestorInclude,
  type AuthorInclude,
  type EntryFilters,
  type Includes,
  type ParentInclude,
  type ReadingRow,
  type SortKey,
  type StoredMediaInclude,
  type TermInclude,
  type TermRef,
} from './reading.repo.ts'
import { ReadingErrors } from './reading.errors.ts'
import type { ListEntriesInput, ReadEntryInput } from './reading.schema.ts'

/**
 * The reading API: lists and single entries for every caller. Everyone sees published public entries of
 * active or archived sites; `site.content.read.private` adds published private entries and
 * `site.content.read.drafts` every other status (audience.repo.ts). One statement per call, includes and
 * all (see reading.repo.ts).
 */

/**
 * Rations password checks of one protected entry for one request: guesses are limited per client and per
 * entry. The transport builds it (the HTTP routes from the platform's rate-limit store); any transport
 * that accepts an entry password must hand one over with it.
 */
export interface PasswordGuard {
  /** Before the password is checked: throws COLOPHON_CONTENT_ENTRY_PASSWORD_THROTTLED when it may not be. */
  admit(): Promise<void>
  /** After a wrong password. */
  refused(): Promise<void>
}

/** An entry as read: sparse fields plus the requested includes. */
export type ReadingEntry = Partial<EntryView> & {
  id: string
  author?: AuthorInclude | null
  terms?: Record<string, TermInclude[]>
  parent?: ParentInclude | null
  ancestors?: AncestorInclude[]
  media?: MediaInclude[]
}

/** A media item an entry shows, as readers get it (`include=media`): with URLs on the site's host. */
export type MediaInclude = Omit<
  StoredMediaInclude,
  'public' | 'fileKey' | 'dominantColor' | 'thumbhash' | 'variants'
> & {
  url: string
  placeholder: { dominantColor: string; thumbhash: string } | null
  variants: Array<Omit<StoredMediaInclude['variants'][number], 'key'> & { url: string }>
}

/**
 * Gives a stored media include its URLs: plain for items readers may fetch unsigned, signed (and short
 * lived) for the others. The media module makes one (`createMediaLinker`); the app hands it over.
 */
export type MediaLinker = (siteId: string, item: StoredMediaInclude) => MediaInclude

export interface ReadingServiceDeps {
  /** Needed for `include=media`. */
  media?: MediaLinker
}

export const MAX_LIMIT = 100
const DEFAULT_LIMIT = 20
const MAX_TERMS = 10
const MAX_TYPES = 20
const INCLUDES = ['author', 'terms', 'parent', 'ancestors', 'media'] as const
const VIEW_FIELDS: ReadonlySet<string> = new Set(ENTRY_FIELDS)
/**
 * What a list shows unless `fields` says otherwise: enough to link to and describe an entry, never its
 * body or custom fields (a page of ten summaries is a few kilobytes, a page of ten bodies can be 100).
 */
const SUMMARY: readonly EntryField[] = ENTRY_FIELDS.filter(
  (f) => !['body', 'bodyHtml', 'fields', 'seo'].includes(f),
)
/** What one entry shows by default: everything but the ProseMirror JSON, which goes to editors. */
const SINGLE: readonly EntryField[] = ENTRY_FIELDS.filter((f) => f !== 'body')
/** Keywords of `fields` that stand for a set of fields. */
const FIELD_SETS: Readonly<Record<string, readonly EntryField[]>> = { summary: SUMMARY, all: ENTRY_FIELDS }
/** Who gets the ProseMirror JSON of an entry without asking: whoever may edit entries. */
const EDIT_OWN = 'site.content.edit.own'
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const KEY = /^[a-z][a-z0-9_-]{0,62}$/
const MICROS = /^-?\d{1,17}$/

const commaList = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)

export function parseIncludes(text: string | undefined): Includes {
  const names = commaList(text)
  const known = new Set<string>(INCLUDES)
  if (
    names.length > INCLUDES.length ||
    new Set(names).size !== names.length ||
    names.some((n) => !known.has(n))
  )
    throw ReadingErrors.includeInvalid({ details: { include: text?.slice(0, 100), allowed: INCLUDES } })
  return {
    author: names.includes('author'),
    terms: names.includes('terms'),
    parent: names.includes('parent'),
    ancestors: names.includes('ancestors'),
    media: names.includes('media'),
  }
}

/**
 * The fields a reply shows, in reply order: `defaults` when `fields` is absent, otherwise the names it
 * lists (`id` always comes), where `summary` and `all` stand for those sets.
 */
export function parseFieldset(text: string | undefined, defaults: readonly EntryField[]): EntryField[] {
  if (text === undefined) return [...defaults]
  const names = commaList(text)
  const unknown = names.filter((n) => !VIEW_FIELDS.has(n) && !(n in FIELD_SETS))
  if (unknown.length > 0 || names.length === 0)
    throw ReadingErrors.fieldsetInvalid({
      details: {
        unknown: unknown.map((n) => n.slice(0, 50)),
        allowed: [...VIEW_FIELDS, ...Object.keys(FIELD_SETS)],
      },
    })
  const wanted = new Set<string>(['id'])
  for (const name of names) for (const field of FIELD_SETS[name] ?? [name]) wanted.add(field)
  return ENTRY_FIELDS.filter((f) => wanted.has(f))
}

function parseTerms(values: readonly string[] | undefined): TermRef[] {
  const refs = (values ?? []).flatMap(commaList).map((text): TermRef => {
    if (UUID.test(text)) return { id: text.toLowerCase() }
    const colon = text.indexOf(':')
    const taxonomy = text.slice(0, colon)
    const slug = text.slice(colon + 1)
    if (colon < 1 || !KEY.test(taxonomy) || slug.length === 0)
      throw ReadingErrors.filterInvalid({
        details: { term: text.slice(0, 100), expected: '<taxonomy key>:<slug> or a term id' },
      })
    return { taxonomy, slug }
  })
  if (refs.length > MAX_TERMS)
    throw ReadingErrors.filterInvalid({ details: { term: `at most ${MAX_TERMS}` } })
  return refs
}

function parseTime(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  const time = new Date(text)
  if (Number.isNaN(time.getTime()))
    throw ReadingErrors.filterInvalid({ details: { [name]: 'an ISO 8601 date-time' } })
  return time.toISOString()
}

function parseStatuses(text: string | undefined): string[] | undefined {
  const statuses = commaList(text)
  const known = new Set<string>(ENTRY_STATUSES)
  const unknown = statuses.filter((s) => !known.has(s))
  if (unknown.length > 0)
    throw ReadingErrors.filterInvalid({
      details: { status: unknown.map((s) => s.slice(0, 50)), allowed: ENTRY_STATUSES },
    })
  return statuses.length > 0 ? statuses : undefined
}

function parseFilters(query: ListEntriesInput, audience: Audience): EntryFilters {
  const types = commaList(query.type)
  if (types.length > MAX_TYPES || types.some((t) => !KEY.test(t)))
    throw ReadingErrors.filterInvalid({ details: { type: `up to ${MAX_TYPES} content type keys` } })
  const parent = query.parent
  if (parent !== undefined && parent !== 'none' && !UUID.test(parent))
    throw ReadingErrors.filterInvalid({ details: { parent: 'an entry id or `none`' } })
  const statuses = parseStatuses(query.status)
  const search = query.search?.trim()
  return {
    types: types.length > 0 ? types : undefined,
    statuses: audience.drafts ? statuses : undefined,
    terms: parseTerms(query.term),
    authorId: query.author?.toLowerCase(),
    parentId: parent === undefined ? undefined : parent === 'none' ? null : parent.toLowerCase(),
    publishedAfter: parseTime('publishedAfter', query.publishedAfter),
    publishedBefore: parseTime('publishedBefore', query.publishedBefore),
    search: search ? search : undefined,
    slug: query.slug,
  }
}

function parseSort(sort: string | undefined): { key: SortKey; descending: boolean } {
  const text = sort ?? '-publishedAt'
  const descending = text.startsWith('-')
  return { key: (descending ? text.slice(1) : text) as SortKey, descending }
}

/** Opaque to clients: base64url of `[sort, value, id]`. Tampering can only move within the caller's own view. */
export function encodeCursor(sort: string, value: string | null, id: string): string {
  return Buffer.from(JSON.stringify([sort, value, id])).toString('base64url')
}

export function decodeCursor(text: string, sort: string): { value: string | null; id: string } {
  let parsed: unknown
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw ReadingErrors.cursorInvalid()
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw ReadingErrors.cursorInvalid()
  const [cursorSort, value, id] = parsed as unknown[]
  const key = parseSort(sort).key
  const valueOk =
    value === null ||
    (typeof value === 'string' && (key === 'title' ? value.length <= 1000 : MICROS.test(value)))
  if (cursorSort !== sort || !valueOk || typeof id !== 'string' || !UUID.test(id))
    throw ReadingErrors.cursorInvalid()
  return { value: value as string | null, id }
}

/** What the repository reads for these fields: their columns, and the type key when `type` is shown. */
function readPlan(fields: readonly EntryField[]) {
  return { columns: columnsOfFields(fields), typeKey: fields.includes('type') }
}

function shape(
  row: ReadingRow,
  audience: Audience,
  fields: readonly EntryField[],
  includes: Includes,
  media: ((item: StoredMediaInclude) => MediaInclude) | undefined,
) {
  const out = sparseEntryView(row.entry, row.typeKey, fields, { editorial: audience.drafts }) as ReadingEntry
  if (includes.author) out.author = row.author
  if (includes.terms) out.terms = row.terms ?? {}
  if (includes.parent) out.parent = row.parent
  if (includes.ancestors) out.ancestors = row.ancestors ?? []
  if (includes.media && media) out.media = (row.media ?? []).map(media)
  return out
}

/** Checks an entry password, as rationed by its guard; throws unless it is the right one. */
async function unlock(hash: string | null, given: { text: string; guard: PasswordGuard } | undefined) {
  if (hash === null || given === undefined) throw ReadingErrors.entryProtected()
  await given.guard.admit()
  if (await verifyPassword(hash, given.text)) return
  await given.guard.refused()
  throw ReadingErrors.entryProtected()
}

export type ReadingService = ReturnType<typeof createReadingService>

export function createReadingService(deps: ReadingServiceDeps = {}) {
  /** The media linker for the site, when `include=media` is asked for (refused if none was given). */
  function linkerFor(siteId: string, includes: Includes) {
    if (!includes.media) return undefined
    const link = deps.media
    if (!link) throw new TypeError('include=media needs the reading service’s media linker')
    return (item: StoredMediaInclude) => link(siteId, item)
  }

  /**
   * A page of entries. Two options serve public sites only (the HTTP API offers neither): `offset` skips
   * rows before the page (numbered listing pages, `/page/N`); `protectedToo` lists password-protected
   * entries as well (a site finds one by its path to show its password form, and must not show its
   * content without the password).
   */
  async function list(
    ctx: Ctx,
    query: ListEntriesInput,
    options: { offset?: number; protectedToo?: boolean } = {},
  ): Promise<Page<ReadingEntry>> {
    const site = requireSite(ctx)
    const limit = query.limit ?? DEFAULT_LIMIT
    if (limit > MAX_LIMIT) throw ReadingErrors.limitTooLarge({ details: { limit, max: MAX_LIMIT } })
    const audience = audienceOf(ctx)
    const includes = parseIncludes(query.include)
    const fields = parseFieldset(query.fields, SUMMARY)
    const filters = parseFilters(query, audience)
    const sortText = query.sort ?? '-publishedAt'
    const sort = parseSort(sortText)
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, sortText)
    // Without `drafts`, only published entries are seen: asking for other statuses finds nothing.
    if (!audience.drafts && query.status !== undefined && !parseStatuses(query.status)?.includes('published'))
      return { items: [], nextCursor: null }
    const media = linkerFor(site.id, includes)
    const rows = await listEntriesForReading(ctx.read, {
      siteId: site.id,
      ...readPlan(fields),
      audience,
      includes,
      filters,
      sort,
      after,
      offset: options.offset,
      protectedToo: options.protectedToo,
      limit: limit + 1,
    })
    return pageOf(
      rows,
      limit,
      (row) => shape(row, audience, fields, includes, media),
      (row) => encodeCursor(sortText, row.sortValue, row.entry.id),
    )
  }

  /**
   * One entry. A reader asking for a password-protected entry needs its password (`password`, from the
   * X-Entry-Password header); a wrong or missing one is 403, never the content. The guard admits the
   * check first, so a throttled guess costs no password hashing and tells nothing, right or wrong.
   */
  async function get(
    ctx: Ctx,
    id: string,
    query: ReadEntryInput & { password?: { text: string; guard: PasswordGuard } | undefined },
  ): Promise<ReadingEntry> {
    const site = requireSite(ctx)
    const audience = audienceOf(ctx)
    const includes = parseIncludes(query.include)
    const fields = parseFieldset(query.fields, can(ctx, EDIT_OWN) ? ENTRY_FIELDS : SINGLE)
    const row = await findEntryForReading(ctx.read, {
      siteId: site.id,
      id: id.toLowerCase(),
      audience,
      includes,
      ...readPlan(fields),
    })
    if (!row) throw ContentErrors.entryNotFound()
    if (passwordRequired(audience, row.entry)) await unlock(row.entry.passwordHash, query.password)
    return shape(row, audience, fields, includes, linkerFor(site.id, includes))
  }

  return { list, get }
}
