import { describe, expect, it } from 'vitest'
import { checkCustomUrl, planTree } from './menus.rules.ts'

describe('custom links', () => {
  it.each([
    '/about',
    '/a/b?c=d#e',
    'https://example.org/x',
    'http://example.org',
    'mailto:a@example.org',
    'tel:+331234',
  ])('accepts %s', (url) => expect(checkCustomUrl(url)).toEqual({ ok: true, url }))

  it.each([
    'javascript:alert(1)',
    ' JAVASCRIPT:alert(1)',
    'java\tscript:alert(1)',
    'data:text/html,x',
    'vbscript:x',
    'file:///etc/passwd',
    '//evil.example',
    '/\\evil.example',
    'https://user:secret@example.org',
    'https://',
    'mailto:',
    'relative/path',
    '',
    `/${'a'.repeat(2000)}`,
  ])('refuses %j', (url) => expect(checkCustomUrl(url).ok).toBe(false))

  it('trims what it stores', () => expect(checkCustomUrl('  /about  ')).toEqual({ ok: true, url: '/about' }))
})

describe('planning a tree', () => {
  let n = 0
  const id = () => `id-${++n}`

  it('flattens parents before children with positions among siblings', () => {
    const planned = planTree(
      [
        { kind: 'custom', url: '/a', label: 'A', children: [{ kind: 'archive', type: 'post' }] },
        { kind: 'entry', entryId: 'e1', label: ' Trimmed ' },
      ],
      id,
    )
    expect(planned.map((p) => [p.path, p.parentId === null, p.position, p.label])).toEqual([
      ['items[0]', true, 0, 'A'],
      ['items[0].children[0]', false, 0, null],
      ['items[1]', true, 1, 'Trimmed'],
    ])
    expect(planned[1]?.parentId).toBe(planned[0]?.id)
  })

  it('counts every level against the item limit', () => {
    const child = { kind: 'custom' as const, url: '/c', label: 'C' }
    const items = Array.from({ length: 20 }, () => ({
      ...child,
      children: Array.from({ length: 9 }, () => child),
    }))
    expect(planTree(items, id)).toHaveLength(200)
    expect(() => planTree([...items, child], id)).toThrow(
      expect.objectContaining({ code: 'COLOPHON_MENUS_TOO_MANY_ITEMS' }),
    )
  })
})
