import { describe, expect, it } from 'vitest'
import {
  checkFieldDefs,
  checkFieldValues,
  isSafeUrl,
  mergeFieldSources,
  retiredAfter,
  valueProblem,
  type FieldDef,
} from './fields.ts'

const types = new Set(['post', 'page', 'book'])
const codes = (list: Array<{ code: string }> | undefined) => (list ?? []).map((p) => p.code)
const f = (def: Partial<FieldDef> & Pick<FieldDef, 'type'>): FieldDef => ({ key: 'x', label: 'X', ...def })
const codeOf = (def: FieldDef, value: unknown) => valueProblem(def, value)?.code

describe('field definitions', () => {
  it('accepts a schema using every type', () => {
    const defs = [
      { key: 'subtitle', label: 'Subtitle', type: 'text', max: 120, pattern: '^\\p{L}' },
      { key: 'notes', label: 'Notes', type: 'richText' },
      { key: 'pages', label: 'Pages', type: 'number', min: 1, max: 5000, default: 100 },
      { key: 'in_print', label: 'In print', type: 'boolean', default: true },
      { key: 'released', label: 'Released', type: 'date', min: '1450-01-01' },
      { key: 'launch', label: 'Launch', type: 'datetime' },
      { key: 'format', label: 'Format', type: 'select', options: ['paper', 'ebook'], default: 'paper' },
      { key: 'genres', label: 'Genres', type: 'multiSelect', options: ['a', 'b', 'c'], max: 2 },
      { key: 'contact', label: 'Contact', type: 'email' },
      { key: 'site', label: 'Site', type: 'url' },
      { key: 'cover', label: 'Cover', type: 'media' },
      { key: 'sequel', label: 'Sequel', type: 'entry', targetTypes: ['book'] },
      { key: 'data', label: 'Data', type: 'json', default: { a: [1] } },
      { key: 'isbn', label: 'ISBN', type: 'text', unique: true, required: true, help: 'Thirteen digits.' },
    ]
    expect(checkFieldDefs(defs, types)).toEqual({})
  })

  it('lists every problem of every field, keyed by field', () => {
    const problems = checkFieldDefs(
      [
        { key: 'Bad Key', label: '', type: 'text' },
        { key: 'colour', label: 'Colour', type: 'select' },
        { key: 'size', label: 'Size', type: 'number', min: 10, max: 1, pattern: 'x' },
        { key: 'size', label: 'Again', type: 'text' },
        { key: 'kind', label: 'Kind', type: 'colour' },
        { key: 'rel', label: 'Rel', type: 'entry', targetTypes: ['nope'] },
        { key: 're', label: 'Re', type: 'text', pattern: '(' },
        { key: 'long', label: 'Long', type: 'text', pattern: 'a'.repeat(201) },
        { key: 'flag', label: 'Flag', type: 'boolean', options: ['a'], extra: 1 },
      ],
      types,
    )
    expect(codes(problems['#0'])).toEqual(['key', 'label'])
    expect(codes(problems.colour)).toEqual(['options'])
    expect(codes(problems.size)).toEqual(['range', 'pattern', 'duplicate'])
    expect(codes(problems.kind)).toEqual(['type'])
    expect(codes(problems.rel)).toEqual(['targetTypes'])
    expect(problems.rel?.[0]?.message).toContain('nope')
    expect(codes(problems.re)).toEqual(['pattern'])
    expect(codes(problems.long)).toEqual(['pattern'])
    expect(codes(problems.flag)).toEqual(['unknown_property', 'options'])
  })

  it('refuses a default that breaks the field’s own rules', () => {
    const problems = checkFieldDefs(
      [
        { key: 'a', label: 'A', type: 'number', max: 5, default: 6 },
        { key: 'b', label: 'B', type: 'select', options: ['x'], default: 'y' },
        { key: 'c', label: 'C', type: 'text', pattern: '^\\d+$', default: 'abc' },
        { key: 'd', label: 'D', type: 'text', unique: true, default: 'same for all' },
      ],
      types,
    )
    expect(Object.keys(problems).sort()).toEqual(['a', 'b', 'c', 'd'])
    for (const list of Object.values(problems)) expect(codes(list)).toEqual(['default'])
  })

  it('checks bounds by type: integers for lengths, ISO dates for dates, none for booleans', () => {
    const problems = checkFieldDefs(
      [
        { key: 'a', label: 'A', type: 'text', min: -1, max: 1.5 },
        { key: 'b', label: 'B', type: 'date', min: '2025-02-30', max: 'soon' },
        { key: 'c', label: 'C', type: 'datetime', min: '2025-02-01', max: '2025-01-01T00:00:00Z' },
        { key: 'd', label: 'D', type: 'boolean', max: 1 },
        { key: 'e', label: 'E', type: 'json', unique: true },
      ],
      types,
    )
    expect(codes(problems.a)).toEqual(['min', 'max'])
    expect(codes(problems.b)).toEqual(['min', 'max'])
    expect(codes(problems.c)).toEqual(['range'])
    expect(codes(problems.d)).toEqual(['range'])
    expect(codes(problems.e)).toEqual(['unique'])
  })
})

describe('field values', () => {
  it('checks the type of each value', () => {
    expect(codeOf(f({ type: 'text' }), 5)).toBe('type')
    expect(codeOf(f({ type: 'number' }), '5')).toBe('type')
    expect(codeOf(f({ type: 'number' }), Number.NaN)).toBe('type')
    expect(codeOf(f({ type: 'boolean' }), 'true')).toBe('type')
    expect(codeOf(f({ type: 'date' }), '2025-02-30')).toBe('type')
    expect(codeOf(f({ type: 'date' }), '2024-02-29')).toBeUndefined()
    expect(codeOf(f({ type: 'datetime' }), '2025-01-01T10:00')).toBe('type')
    expect(codeOf(f({ type: 'datetime' }), '2025-01-01T10:00:00+02:00')).toBeUndefined()
    expect(codeOf(f({ type: 'media' }), 'not-a-uuid')).toBe('type')
    expect(codeOf(f({ type: 'entry' }), '0190f0f0-0000-7000-8000-000000000000')).toBeUndefined()
    expect(codeOf(f({ type: 'json' }), { deep: [1, 'x', null] })).toBeUndefined()
    expect(codeOf(f({ type: 'json' }), 'x'.repeat(70_000))).toBe('too_large')
  })

  it('applies min and max to numbers, text length, choices and dates', () => {
    expect(codeOf(f({ type: 'number', min: 1, max: 3 }), 0)).toBe('min')
    expect(codeOf(f({ type: 'number', min: 1, max: 3 }), 4)).toBe('max')
    expect(codeOf(f({ type: 'text', min: 2, max: 3 }), 'é')).toBe('min')
    expect(codeOf(f({ type: 'text', min: 2, max: 3 }), 'ééé')).toBeUndefined()
    expect(codeOf(f({ type: 'text', max: 3 }), 'abcd')).toBe('max')
    const genres = f({ type: 'multiSelect', options: ['a', 'b', 'c'], min: 1, max: 2 })
    expect(codeOf(genres, ['a', 'b', 'c'])).toBe('max')
    expect(codeOf(genres, ['a', 'a'])).toBe('duplicate')
    expect(codeOf(genres, ['z'])).toBe('option')
    const day = f({ type: 'date', min: '2025-01-01', max: '2025-12-31' })
    expect(codeOf(day, '2024-12-31')).toBe('min')
    expect(codeOf(day, '2026-01-01')).toBe('max')
    expect(codeOf(day, '2025-06-01')).toBeUndefined()
    const at = f({ type: 'datetime', max: '2025-01-01T00:00:00Z' })
    expect(codeOf(at, '2025-01-01T01:00:00+02:00')).toBeUndefined()
    expect(codeOf(at, '2025-01-01T00:00:01Z')).toBe('max')
  })

  it('checks patterns, options, email addresses and rich text', () => {
    expect(codeOf(f({ type: 'text', pattern: '^\\d{3}$' }), '12a')).toBe('pattern')
    expect(codeOf(f({ type: 'text', pattern: '^\\d{3}$' }), '123')).toBeUndefined()
    expect(codeOf(f({ type: 'select', options: ['a'] }), 'b')).toBe('option')
    expect(codeOf(f({ type: 'email' }), 'ada@example.com')).toBeUndefined()
    expect(codeOf(f({ type: 'email' }), 'ada@example')).toBe('email')
    expect(codeOf(f({ type: 'email' }), 'a <ada@example.com>')).toBe('email')
    const doc = { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }] }
    expect(codeOf(f({ type: 'richText' }), doc)).toBeUndefined()
    expect(codeOf(f({ type: 'richText' }), '<p>hi</p>')).toBe('rich_text')
    expect(codeOf(f({ type: 'richText' }), { type: 'doc', content: [{ text: 'no type' }] })).toBe('rich_text')
    let deep: Record<string, unknown> = { type: 'text', text: 'x' }
    for (let i = 0; i < 50; i += 1) deep = { type: 'blockquote', content: [deep] }
    expect(codeOf(f({ type: 'richText' }), { type: 'doc', content: [deep] })).toBe('rich_text')
  })

  it('accepts only http, https and mailto URLs and site paths', () => {
    for (const ok of [
      'https://example.com/a?b=1',
      'http://localhost:3000',
      'mailto:ada@example.com',
      '/about',
    ])
      expect(isSafeUrl(ok)).toBe(true)
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'java\tscript:alert(1)',
      '//evil.example',
      'ftp://example.com',
      'vbscript:x',
      'example.com',
    ])
      expect(isSafeUrl(bad)).toBe(false)
  })

  it('merges over stored values, applies defaults on create, refuses unknown and retired keys', () => {
    const fields = [
      f({ key: 'a', type: 'number', default: 1 }),
      f({ key: 'b', type: 'text', required: true }),
      f({ key: 'c', type: 'text' }),
    ]
    const created = checkFieldValues({ fields, retired: ['old'], input: { b: 'x' }, existing: undefined })
    expect(created.problems).toEqual({})
    expect(created.values).toEqual({ a: 1, b: 'x' })

    const updated = checkFieldValues({
      fields,
      retired: ['old'],
      input: { c: 'y', a: null },
      existing: { a: 5, b: 'x', old: 'kept' },
    })
    expect(updated.problems).toEqual({})
    expect(updated.values).toEqual({ b: 'x', c: 'y', old: 'kept' })

    const refused = checkFieldValues({
      fields,
      retired: ['old'],
      input: { old: 1, zzz: 2, b: '' },
      existing: {},
    })
    expect(Object.fromEntries(Object.entries(refused.problems).map(([k, p]) => [k, p.code]))).toEqual({
      old: 'retired',
      zzz: 'unknown',
      b: 'required',
    })
  })

  it('lists unique values and entry references for the database to confirm', () => {
    const fields = [
      f({ key: 'isbn', type: 'text', unique: true }),
      f({ key: 'sequel', type: 'entry', targetTypes: ['book'] }),
    ]
    const id = '0190f0f0-0000-7000-8000-000000000001'
    const { pending } = checkFieldValues({
      fields,
      retired: [],
      input: { isbn: '978', sequel: id },
      existing: undefined,
    })
    expect(pending.unique).toEqual([{ key: 'isbn', value: '978' }])
    expect(pending.entryRefs).toEqual([{ key: 'sequel', id, targetTypes: ['book'] }])
  })
})

describe('schema changes', () => {
  it('finds keys defined by a type and one of its groups', () => {
    const merged = mergeFieldSources([
      { group: null, fields: [f({ key: 'a', type: 'text' })] },
      { group: 'seo', fields: [f({ key: 'a', type: 'text' }), f({ key: 'b', type: 'text' })] },
    ])
    expect(merged.fields.map((d) => d.key)).toEqual(['a', 'b'])
    expect(merged.collisions.a?.[0]?.message).toContain('field group "seo"')
  })

  it('retires removed keys and un-retires keys added back', () => {
    expect(retiredAfter({ retired: ['x'], before: ['a', 'b'], after: ['a', 'x'] })).toEqual(['b'])
    expect(retiredAfter({ retired: [], before: ['a'], after: ['a'] })).toEqual([])
  })
})
