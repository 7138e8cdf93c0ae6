import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, errorOf, queryCount, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, signIn, signInAdmin, type Session } from '../../../test/harness/identity.ts'
import { asSystem } from '../../platform/access/index.ts'

let app: TestApp
let admin: Session

beforeAll(async () => {
  app = await createTestApp()
  admin = await signInAdmin(app)
  const ctx = asSystem({ orm: app.db.engine.orm, reason: 'test mail', log: app.server.log })
  for (let i = 1; i <= 5; i++) {
    await app.mailer.send(ctx, {
      to: `reader${i}@example.com`,
      subject: `Message ${i}`,
      text: `Body ${i}`,
      ...(i === 5 ? { html: '<p>Body 5</p>' } : {}),
    })
    // Delivered one by one, so the outbox order is known.
    await app.mailer.flush()
  }
})
afterAll(() => app?.close())

const outbox = (session: Session, query = '') =>
  session.request({ method: 'GET', url: `/api/v1/mail/outbox${query}` })

describe('mail outbox', () => {
  it('shows network admins the captured mail, newest first, in one query', async () => {
    const res = await outbox(admin)
    expect(res.statusCode).toBe(200)
    expect(res.headers['cache-control']).toBe('no-store')
    const body = res.json()
    expect(body.transport).toBe('capture')
    expect(body.nextCursor).toBeNull()
    expect(body.items.map((m: { subject: string }) => m.subject)).toEqual([
      'Message 5',
      'Message 4',
      'Message 3',
      'Message 2',
      'Message 1',
    ])
    expect(body.items[0]).toEqual({
      id: expect.any(String),
      to: 'reader5@example.com',
      subject: 'Message 5',
      text: 'Body 5',
      html: '<p>Body 5</p>',
      createdAt: expect.any(String),
    })
    expect(body.items[1].html).toBeNull()
    // The capability check reads no rows: one bound transaction and one select.
    expect(queryCount(res)).toBeGreaterThan(0)
    expect(queryCount(res)).toBeLessThanOrEqual(2)
  })

  it('pages with cursor and limit', async () => {
    const first = (await outbox(admin, '?limit=2')).json()
    expect(first.items.map((m: { subject: string }) => m.subject)).toEqual(['Message 5', 'Message 4'])
    expect(first.nextCursor).toBe(first.items[1].id)
    const second = (await outbox(admin, `?limit=2&cursor=${first.nextCursor}`)).json()
    expect(second.items.map((m: { subject: string }) => m.subject)).toEqual(['Message 3', 'Message 2'])
    const last = (await outbox(admin, `?limit=2&cursor=${second.nextCursor}`)).json()
    expect(last.items.map((m: { subject: string }) => m.subject)).toEqual(['Message 1'])
    expect(last.nextCursor).toBeNull()
  })

  it('refuses out-of-range limits and malformed cursors', async () => {
    for (const query of ['?limit=0', '?limit=101', '?limit=-1', '?cursor=1%20OR%201=1', '?other=1']) {
      const res = await outbox(admin, query)
      expect(res.statusCode).toBe(400)
      expect(errorOf(res).code).toBe('COLOPHON_HTTP_VALIDATION_FAILED')
    }
  })

  it('refuses editors and site administrators (403) and anonymous callers (401)', async () => {
    for (const siteRole of ['editor', 'administrator']) {
      const member = await signIn(app, await createUser(app, { siteRole }))
      const res = await outbox(member)
      expect(res.statusCode).toBe(403)
      expect(errorOf(res).code).toBe('COLOPHON_AUTH_FORBIDDEN')
    }
    const anonymous = await app.server.inject({ method: 'GET', url: '/api/v1/mail/outbox' })
    expect(anonymous.statusCode).toBe(401)
    expect(errorOf(anonymous).code).toBe('COLOPHON_AUTH_REQUIRED')
  })
})
