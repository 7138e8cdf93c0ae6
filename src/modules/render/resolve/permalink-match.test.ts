import { describe, expect, it } from 'vitest'
import { permalinkOf } from '../../content/index.ts'
import { bySpecificity, matchPermalink } from './permalink-match.ts'

const id = '0190a3b2-1c4d-7e8f-9a0b-1c2d3e4f5a6b'
const publishedAt = new Date('2026-03-09T23:30:00Z')

describe('permalink matching', () => {
  it.each([
    ['/{year}/{month}/{slug}', 'post', [], { year: '2026', month: '03', slug: 'hello' }],
    ['/{path}', 'page', ['about', 'team'], { slug: 'hello', ancestors: ['about', 'team'] }],
    ['/{path}', 'page', [], { slug: 'hello', ancestors: [] }],
    ['/{type}/{slug}', 'recipe', [], { slug: 'hello' }],
    ['/{type}/{path}/', 'doc', ['guide'], { slug: 'hello', ancestors: ['guide'] }],
    ['/{year}/{month}/{day}/{slug}', 'post', [], { year: '2026', month: '03', day: '09', slug: 'hello' }],
    ['/p/{id}', 'note', [], { id }],
    ['/blog-{slug}.html', 'post', [], { slug: 'hello' }],
  ])('reads back what permalinkOf(%s) wrote for a %s', (template, typeKey, ancestors, expected) => {
    const path = permalinkOf({
      template,
      slug: 'hello',
      ancestors,
      publishedAt,
      id,
      typeKey,
      timeZone: 'UTC',
    })
    expect(matchPermalink(template, typeKey, path)).toEqual(expected)
  })

  it('decodes what permalinkOf encoded', () => {
    const path = permalinkOf({
      template: '/{path}',
      slug: 'été',
      ancestors: ['à propos'],
      publishedAt,
      id,
      typeKey: 'page',
    })
    expect(matchPermalink('/{path}', 'page', path)).toEqual({ slug: 'été', ancestors: ['à propos'] })
  })

  it.each([
    ['/{year}/{month}/{slug}', 'post', '/2026/3/hello'],
    ['/{year}/{month}/{slug}', 'post', '/2026/03'],
    ['/{year}/{month}/{slug}', 'post', '/2026/03/hello/more'],
    ['/{type}/{slug}', 'recipe', '/post/hello'],
    ['/p/{id}', 'note', '/p/not-an-id'],
    ['/{path}', 'page', '/'],
    ['/{slug}/{slug}', 'page', '/a/b'],
  ])('finds no %s entry of type %s at %s', (template, typeKey, path) => {
    expect(matchPermalink(template, typeKey, path)).toBeNull()
  })

  it('tries specific templates before open-ended ones, in a stable order', () => {
    const types = [
      { typeKey: 'page', template: '/{path}' },
      { typeKey: 'post', template: '/{year}/{month}/{slug}' },
      { typeKey: 'recipe', template: '/{type}/{slug}' },
      { typeKey: 'note', template: '/{slug}' },
      { typeKey: 'aside', template: '/{slug}' },
    ]
    expect([...types].sort(bySpecificity).map((t) => t.typeKey)).toEqual([
      'recipe',
      'post',
      'aside',
      'note',
      'page',
    ])
  })
})
