import sharp from 'sharp'
import type { LightMyRequestResponse } from 'fastify'
import { hashPassword } from '../../src/platform/security/index.ts'
import { createUser, mainSiteId, PASSWORD, signIn, type Session } from './identity.ts'
import type { TestApp } from './test-app.ts'
import { multipartBody } from './multipart.ts'
import { themeZip } from './theme-zips.ts'

/**
 * The list routes of the API and what the suites that hold every one of them to a rule need around them
 * (test/security/list-budget: statements per page; list-plans: the query plans of a deep page). A list
 * route is a GET operation of the OpenAPI description that takes a `limit`, so a new one is checked the
 * day it is registered. The seed makes items for each through the API, as a client would.
 */

/** Every list route's path pattern, e.g. `/api/v1/sites/{site}/entries/{id}/revisions`. */
export async function listRoutesOf(app: TestApp): Promise<string[]> {
  interface Operation {
    parameters?: { name: string; in: string }[]
  }
  const reply = await app.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })
  const document = reply.json() as { paths: Record<string, { get?: Operation }> }
  return Object.entries(document.paths)
    .filter(([, item]) => item.get?.parameters?.some((p) => p.in === 'query' && p.name === 'limit'))
    .map(([path]) => path)
}

export interface SeedOptions {
  /** Items of every kind each list shows, on the main site (and network-wide, for the admin). */
  rounds: number
  /**
   * How many of each item every round also makes for someone else (another site, another user's API
   * key), right after the main site's: a list that finds its rows by time alone, not by site (or user)
   * and time, has to step over that many rows per row it shows.
   */
  neighbours?: number
}

export interface SeededLists {
  /** The main site: what `{site}` stands for. */
  siteId: string
  /**
   * What a path parameter stands for, by the pattern that ends in it, where the first item of the parent
   * list would not do (the entry whose revisions and transitions were seeded).
   */
  params: Record<string, string>
}

/** Sends one request; anything but a 2xx fails the seed. */
async function sendAs(
  session: Session,
  method: 'GET' | 'POST' | 'PATCH',
  url: string,
  payload?: object,
): Promise<Record<string, unknown>> {
  const res = await session.request({ method, url, ...(payload ? { payload } : {}) })
  if (res.statusCode >= 300) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`)
  return res.json() as Record<string, unknown>
}

interface Round {
  siteId: string
  /** Names the items of the round. */
  tag: string
  /** One hash for every seeded user: hashing is slow on purpose. */
  passwordHash: string
}

/** One item of every site-scoped kind on the round's site, the entry published; returns the entry. */
async function seedSiteRound(app: TestApp, admin: Session, round: Round): Promise<string> {
  const { siteId, tag } = round
  const send = (url: string, payload: object) =>
    sendAs(admin, 'POST', `/api/v1/sites/${siteId}${url}`, payload)
  const entry = await send('/entries', { type: 'post', title: `Entry ${tag}` })
  await send(`/entries/${entry.id as string}/status`, { status: 'published' })
  await send('/taxonomies/category/terms', { name: `Category ${tag}` })
  await send('/redirects', { fromPath: `/old-${tag}`, toPath: `/new-${tag}` })
  await send('/series', { name: `Series ${tag}` })
  await send('/menus', { name: `Menu ${tag}` })
  const image = multipartBody([{ name: 'file', filename: `image-${tag}.png`, body: await tinyPng() }])
  const uploaded = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${siteId}/media`,
    payload: image.payload,
    headers: image.headers,
  })
  if (uploaded.statusCode !== 201)
    throw new Error(`media upload answered ${uploaded.statusCode}: ${uploaded.body}`)
  await send('/field-groups', {
    key: `group-${tag}`,
    name: `Group ${tag}`,
    fields: [{ key: 'note', type: 'text', label: 'Note' }],
  })
  await send('/domains', { host: `list-${tag}.example.org` })
  await send('/invitations', { email: `invitee-${tag}@example.com`, role: 'author' })
  await send('/types', { key: `kind-${tag}`, name: `Kind ${tag}` })
  // After `category` and `tag` by key, so the first taxonomy (whose terms are listed) stays `category`.
  await send('/taxonomies', {
    key: `topic-${tag}`,
    name: `Topic ${tag}`,
    pluralName: `Topics ${tag}`,
    hierarchical: false,
    typeKeys: [],
  })
  await createUser(app, { siteRole: 'author', site: siteId, passwordHash: round.passwordHash })
  return entry.id as string
}

let png: Buffer | undefined
/** A small PNG for the media library. */
async function tinyPng(): Promise<Buffer> {
  png ??= await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
    .png()
    .toBuffer()
  return png
}

/** Installs a theme (the themes lists page through installed themes beside the bundled ones). */
async function installTheme(admin: Session, id: string): Promise<void> {
  const res = await admin.request({
    method: 'POST',
    url: '/api/v1/themes',
    payload: themeZip({ id, name: `Theme ${id}` }),
    headers: { 'content-type': 'application/zip' },
  })
  if (res.statusCode !== 201)
    throw new Error(`installing theme ${id} answered ${res.statusCode}: ${res.body}`)
}

const createKey = (session: Session, name: string) =>
  sendAs(session, 'POST', '/api/v1/api-keys', { name, scopes: ['site.content.read.drafts'] })

/**
 * Items for every list route, made through the API by the network admin: each round adds one of every
 * kind (entries, terms, redirects, series, field groups, domains, invitations, types, taxonomies, members
 * and their users, API keys, roles, sites, installed themes), plus what those calls leave behind (audit
 * rows, jobs, revisions, transitions, preview links, mailed invitations in the outbox), and the same for each neighbour
 * (installed themes are the network's: one per round). The main
 * site's first entry gets a revision, a transition (unpublished, published again …) and a preview link
 * every round.
 */
export async function seedLists(app: TestApp, admin: Session, options: SeedOptions): Promise<SeededLists> {
  const siteId = await mainSiteId(app)
  const passwordHash = await hashPassword(PASSWORD)
  const others: string[] = []
  const otherAdmins: Session[] = []
  for (let n = 1; n <= (options.neighbours ?? 0); n++) {
    const site = await sendAs(admin, 'POST', '/api/v1/sites', { name: `Neighbour ${n}` })
    others.push(site.id as string)
    const user = await createUser(app, { networkRole: 'network_admin', passwordHash })
    otherAdmins.push(await signIn(app, user))
  }
  let entryId = ''
  for (let round = 1; round <= options.rounds; round++) {
    const tag = String(round).padStart(2, '0')
    const entry = await seedSiteRound(app, admin, { siteId, tag, passwordHash })
    entryId ||= entry
    for (const [i, other] of others.entries())
      await seedSiteRound(app, admin, { siteId: other, tag: `${tag}-n${i + 1}`, passwordHash })
    const first = `/api/v1/sites/${siteId}/entries/${entryId}`
    await sendAs(admin, 'PATCH', first, { title: `Entry 01, revision ${round}` })
    await sendAs(admin, 'POST', `${first}/status`, { status: round % 2 ? 'unpublished' : 'published' })
    await sendAs(admin, 'POST', `${first}/previews`, {})
    await createKey(admin, `key ${tag}`)
    for (const [i, other] of otherAdmins.entries()) await createKey(other, `key ${tag}-n${i + 1}`)
    await sendAs(admin, 'POST', '/api/v1/roles', {
      slug: `role-${tag}`,
      name: `Role ${tag}`,
      scope: 'site',
      capabilities: ['site.content.read.drafts'],
    })
    await sendAs(admin, 'POST', '/api/v1/sites', { name: `Listed site ${tag}` })
    await installTheme(admin, `listed-theme-${tag}`)
  }
  // Invitations are mailed by jobs: deliver them so the outbox has something to list.
  await app.jobs.drain(app.jobs.queues)
  return { siteId, params: { '/api/v1/sites/{site}/entries/{id}': entryId } }
}

/**
 * A request URL for a route pattern: `{site}` is the main site; any other parameter is what the seed
 * named for it, or else the first item (its `key` or `id`) of the list the pattern extends.
 */
export async function concretePath(admin: Session, path: string, seeded: SeededLists): Promise<string> {
  let url = path.replace('{site}', seeded.siteId)
  for (const match of path.matchAll(/\{([A-Za-z]+)\}/g)) {
    if (match[1] === 'site') continue
    const named = seeded.params[path.slice(0, match.index + match[0].length)]
    const parent = url.slice(0, url.indexOf(match[0]) - 1)
    const value = named ?? (await firstKeyOf(admin, parent))
    if (typeof value !== 'string') throw new Error(`nothing in ${parent} to stand for ${match[0]}`)
    url = url.replace(match[0], value)
  }
  return url
}

async function firstKeyOf(admin: Session, list: string): Promise<unknown> {
  const first = itemsOf(await admin.request({ method: 'GET', url: `${list}?limit=1` }))[0]
  return first?.key ?? first?.id
}

/** The items of a list reply: the `items` of a JSON page, or the records of an export (one per line). */
export function itemsOf(response: LightMyRequestResponse): Record<string, unknown>[] {
  if (response.headers['content-type']?.toString().startsWith('application/json'))
    return ((response.json() as { items?: Record<string, unknown>[] }).items ?? []) as Record<
      string,
      unknown
    >[]
  return response.body
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
}

/**
 * The cursor of the page after `response`: its `nextCursor`, or for an export (which has none) the last
 * record's id when the page was full.
 */
export function nextCursorOf(response: LightMyRequestResponse, limit: number): string | null {
  if (response.headers['content-type']?.toString().startsWith('application/json'))
    return (response.json() as { nextCursor?: string | null }).nextCursor ?? null
  const items = itemsOf(response)
  const last = items[items.length - 1]
  return items.length === limit && typeof last?.id === 'string' ? last.id : null
}

/** `url` with `name=value` added to its query string. */
export function withQuery(url: string, query: Record<string, string | number>): string {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))
  return `${url}${url.includes('?') ? '&' : '?'}${params.toString()}`
}
