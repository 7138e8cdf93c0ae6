import { describe, expect, it } from 'vitest'
import { SLUG_MAX_LENGTH, firstFreeSlug, normaliseSlug, withSuffix } from './slug.ts'

describe('normaliseSlug', () => {
  it.each([
    ['Hello World', 'hello-world'],
    ['  Crème Brûlée!  ', 'creme-brulee'],
    ['Straße & Ørsted', 'strasse-and-orsted'],
    ['Łódź — Œuvre', 'lodz-oeuvre'],
    ['already-a-slug', 'already-a-slug'],
    ['multiple---dashes__and  spaces', 'multiple-dashes-and-spaces'],
    ['2024: A Year', '2024-a-year'],
    ['<script>alert(1)</script>', 'script-alert-1-script'],
    ['', 'untitled'],
    ['!!!', 'untitled'],
    ['日本語', 'untitled'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseSlug(input)).toBe(expected)
  })

  it('cuts long text to the maximum without a trailing dash', () => {
    const slug = normaliseSlug(`${'a'.repeat(199)} b`)
    expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH)
    expect(slug.endsWith('-')).toBe(false)
  })
})

describe('suffixes', () => {
  it('keeps the free base, else takes the first free suffix', () => {
    expect(firstFreeSlug('post', new Set())).toBe('post')
    expect(firstFreeSlug('post', new Set(['post']))).toBe('post-2')
    expect(firstFreeSlug('post', new Set(['post', 'post-2', 'post-4']))).toBe('post-3')
  })

  it('stays within the maximum length with a suffix', () => {
    const base = 'a'.repeat(SLUG_MAX_LENGTH)
    const next = withSuffix(base, 12)
    expect(next.length).toBe(SLUG_MAX_LENGTH)
    expect(next.endsWith('-12')).toBe(true)
  })
})
