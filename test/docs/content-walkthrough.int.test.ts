import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../harness/test-app.ts'
import { signInAdmin, type Session } from '../harness/identity.ts'

/** docs/content.md, step by step: the calls it shows work as it says. */

let app: TestApp
let admin: Session
const API = '/api/v1/sites/main'

beforeAll(async () => {
  app = await createTestApp()
  await app.db.engine.query("UPDATE sites SET slug = 'main' WHERE is_main")
  admin = await signInAdmin(app)
})
afterAll(() => app?.close())

describe('the content walkthrough (docs/content.md)', () => {
  it('creates a type, an entry with terms, schedules and publishes it, and reads it back', async () => {
    const type = await admin.request({
      method: 'POST',
      url: `${API}/types`,
      payload: {
        key: 'recipe',
        name: 'Recipe',
        pluralName: 'Recipes',
        permalink: '/recipes/{slug}',
        fields: [
          { key: 'servings', label: 'Servings', type: 'number', required: true, min: 1, max: 50 },
          {
            key: 'difficulty',
            label: 'Difficulty',
            type: 'select',
            options: ['easy', 'hard'],
            default: 'easy',
          },
          { key: 'source', label: 'Source', type: 'url' },
        ],
      },
    })
    expect(type.statusCode, type.body).toBe(201)

    const created = await admin.request({
      method: 'POST',
      url: `${API}/entries`,
      payload: {
        type: 'recipe',
        title: 'Lentil soup',
        body: {
          type: 'doc',
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Rinse the lentils.' }] }],
        },
        fields: { servings: 4 },
      },
    })
    expect(created.statusCode, created.body).toBe(201)
    const entry = created.json()
    expect(entry).toMatchObject({
      status: 'draft',
      slug: 'lentil-soup',
      fields: { servings: 4, difficulty: 'easy' },
    })
    expect(entry.bodyHtml).toBe('<p>Rinse the lentils.</p>')

    const pending = await admin.request({
      method: 'POST',
      url: `${API}/entries/${entry.id}/status`,
      payload: { status: 'pending', note: 'ready for review' },
    })
    expect(pending.statusCode, pending.body).toBe(200)
    const scheduled = await admin.request({
      method: 'POST',
      url: `${API}/entries/${entry.id}/status`,
      payload: { status: 'scheduled', publishAt: new Date(Date.now() + 86_400_000).toISOString() },
    })
    expect(scheduled.statusCode, scheduled.body).toBe(200)
    expect(scheduled.json().status).toBe('scheduled')

    expect(
      (
        await admin.request({
          method: 'POST',
          url: `${API}/taxonomies/category/terms`,
          payload: { name: 'Soups' },
        })
      ).statusCode,
    ).toBe(201)
    const tag = await admin.request({
      method: 'POST',
      url: `${API}/taxonomies/tag/terms`,
      payload: { name: 'Vegan' },
    })
    expect(tag.statusCode).toBe(201)
    const extended = await admin.request({
      method: 'PATCH',
      url: `${API}/taxonomies/category`,
      payload: { typeKeys: ['post', 'recipe'] },
    })
    expect(extended.statusCode, extended.body).toBe(200)
    await admin.request({
      method: 'PATCH',
      url: `${API}/taxonomies/tag`,
      payload: { typeKeys: ['post', 'recipe'] },
    })
    const terms = await admin.request({
      method: 'PUT',
      url: `${API}/entries/${entry.id}/terms`,
      payload: { category: ['soups'], tag: ['vegan'] },
    })
    expect(terms.statusCode, terms.body).toBe(200)

    const query = '?type=recipe&term=category:soups&include=author,terms&fields=title,slug,excerpt&limit=20'
    expect((await app.server.inject({ method: 'GET', url: `${API}/entries${query}` })).json().items).toEqual(
      [],
    )

    const published = await admin.request({
      method: 'POST',
      url: `${API}/entries/${entry.id}/status`,
      payload: { status: 'published' },
    })
    expect(published.statusCode, published.body).toBe(200)
    const list = await app.server.inject({ method: 'GET', url: `${API}/entries${query}` })
    expect(list.statusCode, list.body).toBe(200)
    expect(list.json().items).toHaveLength(1)
    expect(list.json().items[0]).toMatchObject({ title: 'Lentil soup', slug: 'lentil-soup' })
    const single = await app.server.inject({
      method: 'GET',
      url: `${API}/entries/${entry.id}?include=terms,parent`,
    })
    expect(single.statusCode, single.body).toBe(200)
    const etag = single.headers.etag as string
    const again = await app.server.inject({
      method: 'GET',
      url: `${API}/entries/${entry.id}?include=terms,parent`,
      headers: { 'if-none-match': etag },
    })
    expect(again.statusCode).toBe(304)
  })
})
