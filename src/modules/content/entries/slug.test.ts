import { describe, expect, it } from 'vitest'
import { SLUG_MAX_LENGTH, SLUG_PROBE, freeSlug, normaliseSlug, withSuffix } from './slug.ts'

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
  /** `freeSlug` over a fixed set of held slugs, recording what it asked. */
  const among = async (base: string, held: Iterable<string>) => {
    const asked: string[][] = []
    const heldSet = new Set(held)
    const slug = await freeSlug(base, async (candidates) => {
      asked.push(candidates)
      return new Set(candidates.filter((c) => heldSet.has(c)))
    })
    return { slug, asked }
  }

  it('keeps the free base, else takes the first free suffix, asking once', async () => {
    expect((await among('post', [])).slug).toBe('post')
    expect((await among('post', ['post'])).slug).toBe('post-2')
    const gap = await among('post', ['post', 'post-2', 'post-4'])
    expect(gap.slug).toBe('post-3')
    expect(gap.asked).toHaveLength(1)
    expect(gap.asked[0]?.slice(0, 3)).toEqual(['post', 'post-2', 'post-3'])
    expect(gap.asked[0]).toHaveLength(SLUG_PROBE)
  })

  it('asks about the next candidates once every probed one is held', async () => {
    const held = ['post', ...Array.from({ length: SLUG_PROBE + 5 }, (_, i) => `post-${i + 2}`)]
    const { slug, asked } = await among('post', held)
    expect(slug).toBe(`post-${SLUG_PROBE + 7}`)
    expect(asked.map((a) => a[0])).toEqual(['post', `post-${SLUG_PROBE + 1}`])
  })

  it('stays within the maximum length with a suffix', () => {
    const base = 'a'.repeat(SLUG_MAX_LENGTH)
    const next = withSuffix(base, 12)
    expect(next.length).toBe(SLUG_MAX_LENGTH)
    expect(next.endsWith('-12')).toBe(true)
  })
})
