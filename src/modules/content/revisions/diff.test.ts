import { describe, expect, it } from 'vitest'
import type { EntrySnapshot } from '../content.model.ts'
import { diffLines, diffSnapshots, sameJson } from './diff.ts'

const base: EntrySnapshot = {
  title: 'T',
  slug: 't',
  excerpt: '',
  body: null,
  bodyHtml: '',
  fields: { a: 1, list: [1, 2] },
  parentId: null,
  featuredMediaId: null,
  seo: {},
  visibility: 'public',
}

describe('diffSnapshots', () => {
  it('finds nothing between equal snapshots, whatever the key order', () => {
    const reordered = { ...base, fields: { list: [1, 2], a: 1 } }
    expect(diffSnapshots(base, reordered)).toEqual([])
  })

  it('lists top-level, seo and custom field changes, ignoring the rendered HTML', () => {
    const after: EntrySnapshot = {
      ...base,
      title: 'U',
      bodyHtml: '<p>x</p>',
      seo: { noindex: true },
      fields: { a: 1, list: [2, 1], b: 'new' },
      visibility: 'private',
    }
    expect(diffSnapshots(base, after)).toEqual([
      { field: 'title', before: 'T', after: 'U' },
      { field: 'visibility', before: 'public', after: 'private' },
      { field: 'seo.noindex', before: null, after: true },
      { field: 'fields.b', before: null, after: 'new' },
      { field: 'fields.list', before: [1, 2], after: [2, 1] },
    ])
  })

  it('adds a text diff to a body change', () => {
    const docOf = (t: string) => ({
      type: 'doc',
      content: [{ type: 'paragraph', content: [{ type: 'text', text: t }] }],
    })
    const [change] = diffSnapshots({ ...base, body: docOf('old') }, { ...base, body: docOf('new') })
    expect(change?.field).toBe('body')
    expect(change?.text).toEqual([
      { op: 'insert', text: 'new' },
      { op: 'delete', text: 'old' },
    ])
  })
})

describe('diffLines', () => {
  it('keeps common lines and groups runs', () => {
    expect(diffLines('a\nb\nc', 'a\nx\ny\nc')).toEqual([
      { op: 'equal', text: 'a' },
      { op: 'insert', text: 'x\ny' },
      { op: 'delete', text: 'b' },
      { op: 'equal', text: 'c' },
    ])
    expect(diffLines('', 'a')).toEqual([{ op: 'insert', text: 'a' }])
  })

  it('gives up on texts too long to compare cheaply', () => {
    const long = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n')
    expect(diffLines(long, `${long}\nmore`)).toBeUndefined()
  })
})

describe('sameJson', () => {
  it('compares deeply', () => {
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true)
    expect(sameJson({ a: [1] }, { a: { 0: 1 } })).toBe(false)
    expect(sameJson(null, {})).toBe(false)
  })
})
