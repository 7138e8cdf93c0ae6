import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import { signInAdmin, type Session } from '../../../../test/harness/identity.ts'

/**
 * Field patterns over HTTP: site administrators write them, every entry save runs them. Catastrophic
 * patterns must not hold the node (they run on a linear-time engine), and patterns that engine cannot run
 * are refused when the schema is saved, naming the field.
 */

let app: TestApp
let admin: Session
const typesUrl = (rest = '') => `/api/v1/sites/main/types${rest}`

beforeAll(async () => {
  app = await createTestApp({ config: { authRateLimit: 10_000, authAccountRateLimit: 10_000 } })
  admin = await signInAdmin(app)
})
afterAll(() => app?.close())

/**
 * Each value is long enough that a backtracking engine spends about a minute or more on it (measured with
 * Node 24's RegExp), so the old engine could not answer within the test's timeout.
 */
const TRAPS = [
  { key: 'nested', pattern: '^(a+)+$', value: `${'a'.repeat(30)}!` },
  { key: 'overlap', pattern: '(a|aa)+$', value: `${'a'.repeat(42)}!` },
  { key: 'optional', pattern: '(a|a?)+$', value: `${'a'.repeat(26)}!` },
  { key: 'repeated', pattern: '(.*a){20}', value: 'a'.repeat(19) + 'x'.repeat(6000) },
  { key: 'words', pattern: '^(\\w+\\s?)*$', value: `${'a'.repeat(29)}!` },
  { key: 'pairs', pattern: '(x+x+)+y', value: 'x'.repeat(29) },
]

describe('catastrophic field patterns', () => {
  it('are accepted on a type, and an entry save with adversarial values is answered at once', async () => {
    const created = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: {
        key: 'trap',
        name: 'Trap',
        fields: TRAPS.map((t) => ({ key: t.key, label: t.key, type: 'text', pattern: t.pattern })),
      },
    })
    expect(created.statusCode, created.body).toBe(201)

    const saved = await admin.request({
      method: 'POST',
      url: '/api/v1/sites/main/entries',
      payload: {
        type: 'trap',
        title: 'Trap',
        fields: Object.fromEntries(TRAPS.map((t) => [t.key, t.value])),
      },
    })
    expect(saved.statusCode, saved.body).toBe(400)
    const error = errorOf(saved)
    expect(error.code).toBe('COLOPHON_CONTENT_FIELDS_INVALID')
    // `(a|a?)+$` matches the empty string at the end of any value: only the others refuse theirs.
    const fields = (error.details as { fields: Record<string, { code: string }> }).fields
    expect(Object.fromEntries(Object.entries(fields).map(([k, p]) => [k, p.code]))).toEqual({
      nested: 'pattern',
      overlap: 'pattern',
      repeated: 'pattern',
      words: 'pattern',
      pairs: 'pattern',
    })
  }, 10_000)
})

describe('patterns the linear-time engine cannot run', () => {
  const unsupported = { key: 'code', label: 'Code', type: 'text', pattern: '^(\\d)\\1$' }

  it('are refused when a type is created or changed, naming the field', async () => {
    const create = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: { key: 'coupon', name: 'Coupon', fields: [unsupported] },
    })
    expect(create.statusCode).toBe(400)
    expect(errorOf(create)).toMatchObject({
      code: 'COLOPHON_CONTENT_FIELD_PATTERN_UNSUPPORTED',
      details: { fields: { code: [{ code: 'pattern_unsupported' }] } },
    })

    const base = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: { key: 'voucher', name: 'Voucher' },
    })
    expect(base.statusCode).toBe(201)
    const lookahead = { key: 'serial', label: 'Serial', type: 'text', pattern: '^(?=.*\\d)\\w+$' }
    const change = await admin.request({
      method: 'PATCH',
      url: typesUrl('/voucher'),
      payload: { fields: [{ key: 'plain', label: 'Plain', type: 'text', pattern: '^\\w+$' }, lookahead] },
    })
    expect(change.statusCode).toBe(400)
    const error = errorOf(change)
    expect(error.code).toBe('COLOPHON_CONTENT_FIELD_PATTERN_UNSUPPORTED')
    expect(Object.keys((error.details as { fields: object }).fields)).toEqual(['serial'])
  })

  it('are refused when a field group is saved', async () => {
    const res = await admin.request({
      method: 'POST',
      url: '/api/v1/sites/main/field-groups',
      payload: { key: 'codes', name: 'Codes', fields: [unsupported] },
    })
    expect(res.statusCode).toBe(400)
    expect(errorOf(res)).toMatchObject({
      code: 'COLOPHON_CONTENT_FIELD_PATTERN_UNSUPPORTED',
      details: { fields: { code: [{ code: 'pattern_unsupported' }] } },
    })
  })

  it('stored before the engine changed, refuse the field’s values with a reason instead of running', async () => {
    const base = await admin.request({
      method: 'POST',
      url: typesUrl(),
      payload: { key: 'legacy', name: 'Legacy' },
    })
    expect(base.statusCode).toBe(201)
    await app.db.engine.query(`UPDATE content_types SET fields = $1 WHERE key = 'legacy'`, [
      JSON.stringify([unsupported]),
    ])
    const saved = await admin.request({
      method: 'POST',
      url: '/api/v1/sites/main/entries',
      payload: { type: 'legacy', title: 'Old', fields: { code: '11' } },
    })
    expect(saved.statusCode).toBe(400)
    expect(errorOf(saved)).toMatchObject({
      code: 'COLOPHON_CONTENT_FIELDS_INVALID',
      details: { fields: { code: { code: 'pattern_unsupported' } } },
    })
  })
})
