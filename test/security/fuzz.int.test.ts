import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { signInAdmin, type Session } from '../harness/identity.ts'

/**
 * A schema-driven fuzzer over the whole API (security checklist; issue "hardening"): every operation of
 * the OpenAPI document gets malformed input, as a network admin (session and CSRF token) and anonymously:
 * wrong types for each parameter and body property, NUL bytes, invalid UTF-8 (raw in the body,
 * percent-encoded in path and query), lone surrogates, 10,000 levels of nesting, strings beyond
 * `maxLength` and beyond the body limit, empty bodies, wrong content types, unknown properties, numbers
 * out of range, ids that are not UUIDs and random UUIDs. Whatever happens, no reply is a 5xx and every 4xx
 * is the error envelope with a COLOPHON_ code.
 *
 * Deterministic: one seed drives every choice; the cases of an operation are sampled, not multiplied out.
 * Operations that end the admin's session or disable the fuzzed site run last, one by one.
 */

type Schema = {
  type?: string | string[]
  format?: string
  enum?: unknown[]
  const?: unknown
  anyOf?: Schema[]
  oneOf?: Schema[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
}
type Parameter = { in: string; name: string; schema?: Schema; required?: boolean }
type Operation = {
  tags?: string[]
  parameters?: Parameter[]
  requestBody?: { content?: Record<string, { schema?: Schema }> }
  security?: unknown[]
}

interface Case {
  label: string
  method: string
  url: string
  headers: Record<string, string>
  payload?: string | Buffer
}

const SEED = 0x5eed_c0de
const BODY_LIMIT = 512 * 1024
const DEEP = 10_000

/** mulberry32: a small seeded generator, so every run sends the same requests. */
function generator(seed: number) {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    sample: <T>(items: readonly T[], count: number): T[] => {
      const pool = [...items]
      const out: T[] = []
      while (out.length < count && pool.length > 0)
        out.push(pool.splice(Math.floor(next() * pool.length), 1)[0] as T)
      return out
    },
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('')
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`
    },
  }
}
type Rng = ReturnType<typeof generator>

function typesOf(schema: Schema): string[] {
  if (schema.anyOf ?? schema.oneOf) return (schema.anyOf ?? schema.oneOf ?? []).flatMap(typesOf)
  return [schema.type ?? 'any'].flat()
}

/** Values that pass the services' own checks for well-known property names, so cases reach them. */
const KNOWN: Record<string, unknown> = {
  type: 'post',
  taxonomy: 'category',
  title: 'Fuzzed title',
  name: 'Fuzzed name',
  slug: 'fuzzed-slug',
  password: 'a perfectly fine passphrase',
  role: 'editor',
  status: 'draft',
}

/** A value that plausibly satisfies the schema (the baseline each case then breaks in one place). */
function validValue(schema: Schema, rng: Rng, depth = 0, name = ''): unknown {
  if (schema.const !== undefined) return schema.const
  if (schema.enum?.includes(KNOWN[name])) return KNOWN[name]
  if (schema.enum) return schema.enum[0]
  const alternatives = schema.anyOf ?? schema.oneOf
  if (alternatives)
    return validValue(alternatives.find((s) => s.type !== 'null') ?? alternatives[0] ?? {}, rng, depth)
  const type = [schema.type ?? 'object'].flat().find((t) => t !== 'null')
  switch (type) {
    case 'string':
      if (typeof KNOWN[name] === 'string' && !schema.format) return KNOWN[name]
      if (schema.format === 'uuid') return rng.uuid()
      if (schema.format === 'email') return `fuzz-${Math.floor(rng.next() * 1e9)}@example.com`
      if (schema.format === 'date-time') return '2030-01-01T00:00:00.000Z'
      if (schema.format === 'uri') return 'https://example.com/'
      return 'fuzz-value'.padEnd(schema.minLength ?? 1, 'x').slice(0, schema.maxLength ?? 100)
    case 'integer':
    case 'number':
      return schema.minimum ?? 1
    case 'boolean':
      return false
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () =>
        validValue(schema.items ?? {}, rng, depth + 1),
      )
    default: {
      if (depth > 4) return {}
      const out: Record<string, unknown> = {}
      for (const key of schema.required ?? [])
        out[key] = validValue(schema.properties?.[key] ?? {}, rng, depth + 1, key)
      return out
    }
  }
}

/** JSON text put into a body as is: JSON.stringify itself cannot nest 10,000 levels deep. */
class RawJson {
  readonly text: string
  constructor(text: string) {
    this.text = text
  }
}
const DEEP_ARRAY = new RawJson('['.repeat(DEEP) + ']'.repeat(DEEP))
/** Nested objects in the shape rich-text documents take (a node whose content holds a node, …). */
const DEEP_OBJECT = new RawJson(
  '{"type":"doc","content":['.repeat(DEEP) + '{"type":"text","text":"x"}' + ']}'.repeat(DEEP),
)

/** Values that break a property of this schema, JSON-encodable: the JSON text cases are separate. */
function wrongValues(schema: Schema, rng: Rng): { label: string; value: unknown }[] {
  const types = typesOf(schema)
  const out: { label: string; value: unknown }[] = [
    { label: 'NUL', value: 'a\u0000b' },
    { label: 'lone surrogate', value: 'a\ud800b' },
    { label: 'object', value: { $ne: '' } },
    { label: 'array', value: ['x', 1] },
    { label: 'null', value: null },
    { label: 'boolean', value: true },
  ]
  if (types.includes('string')) {
    out.push({ label: 'number for string', value: 12345 })
    out.push({ label: 'beyond maxLength', value: 'y'.repeat((schema.maxLength ?? 5000) + 1) })
    out.push({ label: 'empty string', value: '' })
    if (schema.format === 'uuid') {
      out.push({ label: 'not a UUID', value: 'not-a-uuid' })
      out.push({ label: 'random UUID', value: rng.uuid() })
    }
  } else out.push({ label: 'string for non-string', value: 'not the right type' })
  if (types.includes('integer') || types.includes('number')) {
    for (const value of [-1, 0, 1.5, 2 ** 53 + 2, -(2 ** 63), 1e308, (schema.maximum ?? 1e6) + 1])
      out.push({ label: `number ${value}`, value })
  }
  if (types.includes('array'))
    out.push({ label: 'huge array', value: Array.from({ length: 5000 }, () => 'z') })
  if (types.includes('object') || types.includes('any'))
    out.push({
      label: 'unknown properties',
      value: { __proto__x: 1, constructor: 'x', ['k'.repeat(300)]: 1 },
    })
  return out
}

/** Path and query text that is malformed, not UTF-8, or not the right kind of id. */
const BAD_SEGMENTS = [
  '%00',
  '%ff',
  '%c3%28',
  '%ed%a0%80',
  'not-a-uuid',
  '..%2f..%2f',
  '%25',
  'x'.repeat(600),
  '-1',
  '9'.repeat(40),
  "'%20OR%201=1--",
]
const BAD_QUERY_VALUES = [
  '%00',
  '%ff',
  '%c3%28',
  'abc',
  '-1',
  '1e309',
  '9'.repeat(40),
  'true',
  'q'.repeat(5000),
  '',
]

/** One oversized body for every operation (a string is shared, not copied, between cases). */
const OVERSIZED = JSON.stringify({ a: 'b'.repeat(BODY_LIMIT + 10) })

function encodeJson(value: unknown): string {
  const raw: string[] = []
  const text = JSON.stringify(value, (_key, inner: unknown) =>
    inner instanceof RawJson ? `\u0000raw${raw.push(inner.text) - 1}\u0000` : inner,
  )
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_, i: string) => raw[Number(i)] as string)
}

/**
 * The cases of one operation: each breaks the baseline request (existing path values, a body that
 * plausibly validates) in one place. `must` cases are always sent (the checklist: invalid text, nesting,
 * size, content types, structural values for properties that take objects or arrays); the others are
 * sampled up to the budget.
 */
function operationCases(method: string, path: string, op: Operation, rng: Rng, context: Context): Case[] {
  const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string)
  const baselinePath: Record<string, string> = {}
  for (const name of pathParams) baselinePath[name] = existingValue(path, name, context) ?? rng.uuid()
  const urlWith = (params: Record<string, string>, query = '') =>
    path.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? '') + (query ? `?${query}` : '')
  const bodySchema = op.requestBody?.content?.['application/json']?.schema
  const baseline = bodySchema ? validValue(bodySchema, rng) : undefined
  const basePayload = baseline === undefined ? undefined : encodeJson(baseline)
  const must: Case[] = []
  const optional: Case[] = []
  const add =
    (list: Case[]) =>
    (label: string, url: string, payload?: string | Buffer, contentType = 'application/json') =>
      list.push({
        label,
        method,
        url,
        headers: payload === undefined ? {} : { 'content-type': contentType },
        ...(payload === undefined ? {} : { payload }),
      })
  const always = add(must)
  const maybe = add(optional)

  for (const name of pathParams) {
    always(`path ${name}: NUL`, urlWith({ ...baselinePath, [name]: '%00' }), basePayload)
    always(`path ${name}: random UUID`, urlWith({ ...baselinePath, [name]: rng.uuid() }), basePayload)
    for (const bad of BAD_SEGMENTS)
      maybe(`path ${name}: ${bad.slice(0, 20)}`, urlWith({ ...baselinePath, [name]: bad }), basePayload)
  }
  for (const param of (op.parameters ?? []).filter((p) => p.in === 'query')) {
    for (const bad of BAD_QUERY_VALUES)
      maybe(
        `query ${param.name}=${bad.slice(0, 20)}`,
        urlWith(baselinePath, `${param.name}=${bad}`),
        basePayload,
      )
    maybe(
      `query ${param.name} repeated`,
      urlWith(baselinePath, `${param.name}=1&${param.name}=2`),
      basePayload,
    )
  }
  always('query: invalid UTF-8', urlWith(baselinePath, 'zz=%c3%28'), basePayload)

  const url = urlWith(baselinePath)
  if (method === 'GET' || method === 'DELETE') {
    maybe('a body where none is expected', url, '{"a":"\\u0000"}')
    return [...must, ...rng.sample(optional, Math.max(0, context.budget - must.length))]
  }
  always('baseline body', url, basePayload ?? '{}')
  always('raw invalid UTF-8', url, Buffer.from('{"a":"\xff\xfe"}', 'latin1'))
  always('escaped NUL', url, '{"a":"\\u0000"}')
  always('escaped lone surrogate', url, '{"a":"\\udfff"}')
  always('deep nesting', url, DEEP_ARRAY.text)
  always('deep object nesting', url, DEEP_OBJECT.text)
  always('beyond the body limit', url, OVERSIZED)
  always('text/plain', url, basePayload ?? 'x', 'text/plain')
  maybe('empty JSON body', url, '')
  maybe('malformed JSON', url, '{"a": ')
  maybe('array body', url, '[]')
  maybe('scalar body', url, '"text"')
  maybe('null body', url, 'null')
  maybe('__proto__ body', url, '{"__proto__":{"isAdmin":true}}')
  maybe('form', url, 'a=1&b=2', 'application/x-www-form-urlencoded')
  maybe(
    'multipart',
    url,
    '--x\r\ncontent-disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n',
    'multipart/form-data; boundary=x',
  )
  maybe('latin-1 JSON', url, basePayload ?? '{}', 'application/json; charset=latin1')
  if (bodySchema && baseline && typeof baseline === 'object' && !Array.isArray(baseline)) {
    maybe('unknown property', url, encodeJson({ ...baseline, zzUnknown: 1 }))
    for (const [name, schema] of Object.entries(bodySchema.properties ?? {})) {
      const types = typesOf(schema)
      const with_ = (value: unknown) => encodeJson({ ...baseline, [name]: value })
      if (types.includes('object') || types.includes('any'))
        always(`body ${name}: deep object nesting`, url, with_(DEEP_OBJECT))
      if (types.includes('array') || types.includes('any'))
        always(`body ${name}: deep nesting`, url, with_(DEEP_ARRAY))
      for (const wrong of wrongValues(schema, rng))
        maybe(`body ${name}: ${wrong.label}`, url, with_(wrong.value))
    }
  }
  return [...must, ...rng.sample(optional, Math.max(0, context.budget - must.length))]
}

interface Context {
  site: string
  entry: string
  term: string
  budget: number
}

/** Path parameters that name something that exists, so the cases get past "not found". */
function existingValue(path: string, name: string, context: Context): string | undefined {
  if (name === 'site') return context.site
  if (name === 'key') return path.includes('/taxonomies/') ? 'category' : 'post'
  if (name === 'id' && path.includes('/entries/')) return context.entry
  if (name === 'id' && path.includes('/terms/')) return context.term
  return undefined
}

/** Operations that would end the admin's session or take the fuzzed site down for the cases after them. */
const ENDS_SESSION =
  /\/auth\/(logout|logout-all|password|email)$|\/auth\/sessions\/\{id\}$|\/auth\/2fa\/disable$/
const ENDS_SITE = /\/sites\/\{site\}(\/(disable|archive|transfer))?$/

interface Outcome {
  status: number
  body: string
}

function problemWith(outcome: Outcome): string | null {
  if (outcome.status >= 500) return `status ${outcome.status}`
  if (outcome.status < 400) return null
  try {
    const error = (JSON.parse(outcome.body) as { error?: Record<string, unknown> }).error
    if (!error) return 'no envelope'
    if (typeof error.code !== 'string' || !/^COLOPHON_[A-Z0-9_]+$/.test(error.code))
      return 'no COLOPHON_ code'
    if (typeof error.message !== 'string' || typeof error.requestId !== 'string' || !error.requestId)
      return 'incomplete envelope'
    return null
  } catch {
    return 'body is not JSON'
  }
}

let app: TestApp
let admin: Session
let doc: { paths: Record<string, Record<string, Operation>> }
let fuzzSite: string
let entry: string
let term: string

beforeAll(async () => {
  app = await createTestApp({
    state: 'ready',
    config: {
      bodyLimit: BODY_LIMIT,
      authRateLimit: 100_000,
      authAccountRateLimit: 100_000,
      setupRateLimit: 10_000,
      siteApiCallsPerMinute: 1_000_000,
    },
  })
  admin = await signInAdmin(app)
  doc = (await app.server.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json()
  const created = await admin.request({
    method: 'POST',
    url: '/api/v1/sites',
    payload: { name: 'Fuzzed site' },
  })
  expect(created.statusCode, created.body).toBe(201)
  fuzzSite = (created.json() as { slug: string }).slug
  const post = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${fuzzSite}/entries`,
    payload: { type: 'post', title: 'Fuzzed entry' },
  })
  expect(post.statusCode, post.body).toBe(201)
  entry = (post.json() as { id: string }).id
  const category = await admin.request({
    method: 'POST',
    url: `/api/v1/sites/${fuzzSite}/taxonomies/category/terms`,
    payload: { name: 'Fuzzed term' },
  })
  expect(category.statusCode, category.body).toBe(201)
  term = (category.json() as { id: string }).id
})
afterAll(() => app?.close())

async function send(identity: Session | null, c: Case, n: number): Promise<Outcome> {
  const headers = identity
    ? { cookie: identity.cookie, 'x-csrf-token': identity.csrf, ...c.headers }
    : c.headers
  const res = await app.server.inject({
    method: c.method as 'GET',
    url: c.url,
    headers,
    // Spread over loopback addresses so per-client limits do not end the run early.
    remoteAddress: `127.0.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`,
    ...(c.payload === undefined ? {} : { payload: c.payload }),
  })
  return { status: res.statusCode, body: res.body }
}

async function run(
  identity: Session | null,
  cases: Case[],
  parallel: number,
  failures: string[],
): Promise<number> {
  let sent = 0
  for (let i = 0; i < cases.length; i += parallel) {
    const batch = cases.slice(i, i + parallel)
    const outcomes = await Promise.all(batch.map((c, j) => send(identity, c, i + j)))
    outcomes.forEach((outcome, j) => {
      const c = batch[j] as Case
      const problem = problemWith(outcome)
      if (problem)
        failures.push(
          `${identity ? 'admin' : 'anonymous'} ${c.method} ${c.url.slice(0, 120)} [${c.label}] → ${problem}: ${outcome.body.slice(0, 300)}`,
        )
    })
    sent += batch.length
  }
  return sent
}

/** Admin cases are split by the operations' tags, so each test stays short and names what it covers. */
const ADMIN_GROUPS: { name: string; tags: readonly string[] }[] = [
  { name: 'setup, sign-in and API keys', tags: ['operations', 'setup', 'auth', 'api-keys'] },
  { name: 'users, roles, audit, jobs and mail', tags: ['users', 'roles', 'audit', 'jobs', 'mail'] },
  { name: 'sites, members, taxonomies and redirects', tags: ['sites', 'members', 'taxonomy', 'redirects'] },
  { name: 'content', tags: ['content'] },
]
const ANONYMOUS_BUDGET = { public: 14, signedIn: 4 }
const ADMIN_BUDGET = 14

interface Plan {
  operations: number
  anonymous: Case[]
  admin: Case[][]
  last: Case[]
}
let plan: Plan

/** Every case, decided once from the document and the seed. */
function planCases(): Plan {
  const rng = generator(SEED)
  const context = { site: fuzzSite, entry, term }
  const out: Plan = { operations: 0, anonymous: [], admin: ADMIN_GROUPS.map(() => []), last: [] }
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [lower, op] of Object.entries(ops)) {
      const method = lower.toUpperCase()
      out.operations += 1
      const isPublic = Array.isArray(op.security) && op.security.length === 0
      const budget = isPublic ? ANONYMOUS_BUDGET.public : ANONYMOUS_BUDGET.signedIn
      out.anonymous.push(...operationCases(method, path, op, rng, { ...context, budget }))
      const cases = operationCases(method, path, op, rng, { ...context, budget: ADMIN_BUDGET })
      const tag = op.tags?.[0] ?? ''
      const group = ADMIN_GROUPS.findIndex((g) => g.tags.includes(tag))
      if (ENDS_SESSION.test(path) || (method !== 'GET' && ENDS_SITE.test(path)) || group === -1)
        out.last.push(...cases)
      else out.admin[group]?.push(...cases)
    }
  }
  // Taking the fuzzed site down before ending the session, so both kinds of case still run signed in.
  out.last.sort(
    (x, y) =>
      Number(ENDS_SESSION.test(x.url.split('?')[0] ?? '')) -
      Number(ENDS_SESSION.test(y.url.split('?')[0] ?? '')),
  )
  return out
}

async function expectNoFailures(identity: Session | null, cases: Case[], parallel: number): Promise<void> {
  const failures: string[] = []
  const sent = await run(identity, cases, parallel, failures)
  expect(sent).toBe(cases.length)
  expect(failures).toEqual([])
}

describe('fuzzing every operation of the OpenAPI document', () => {
  beforeAll(() => {
    plan = planCases()
  })

  it('covers every operation, as the network admin and anonymously', () => {
    expect(plan.operations).toBeGreaterThan(100)
    const adminCases = plan.admin.flat().length + plan.last.length
    expect(adminCases).toBeGreaterThanOrEqual(plan.operations * 8)
    expect(plan.anonymous.length).toBeGreaterThanOrEqual(plan.operations * 4)
  })

  it('anonymous callers: no 5xx, and the error envelope on every 4xx', async () => {
    await expectNoFailures(null, plan.anonymous, 8)
  })

  it.each(ADMIN_GROUPS.map((g, i) => [g.name, i] as const))(
    'the network admin on %s: no 5xx, and the error envelope on every 4xx',
    async (_name, index) => {
      await expectNoFailures(admin, plan.admin[index] ?? [], 8)
    },
  )

  it('the network admin, operations that end the session or take the site down, last and one by one', async () => {
    await expectNoFailures(admin, plan.last, 1)
  })
})
