import { DEFAULT_SEO_SETTINGS } from '../../sites/index.ts'
import type { SeoEntry, SeoInput } from './seo.model.ts'

/**
 * Test helper: an entry page as pages hand it to the theme (the scope `entry.liquid` reads, with the
 * `seo` object built from the same data), for rendering the default theme without a database.
 */
export const FIXTURE_ORIGIN = 'https://notes.example.org'

export const fixtureEntry: SeoEntry & { id: string; slug: string; typeName: string; bodyHtml: string } = {
  id: '01900000-0000-7000-8000-000000000001',
  slug: 'on-moss',
  type: 'post',
  typeName: 'Posts',
  title: 'On moss & <lichen>',
  excerpt: 'Moss grows where little else does: "quietly", on stone & bark.',
  bodyHtml: '<p>Moss grows where little else does.</p>',
  url: `${FIXTURE_ORIGIN}/post/on-moss`,
  publishedAt: '2026-03-09T10:00:00.000Z',
  updatedAt: '2026-03-10T08:30:00.000Z',
  author: { name: 'Ada', url: `${FIXTURE_ORIGIN}/author/0190` },
  terms: [
    {
      taxonomy: 'category',
      taxonomyName: 'Categories',
      items: [{ name: 'Botany', url: `${FIXTURE_ORIGIN}/category/botany` }],
    },
  ],
  ancestors: [],
  hierarchical: false,
  seo: {},
}

export function fixtureEntryInput(): SeoInput {
  return {
    site: {
      name: 'Field Notes </script>',
      tagline: 'Writing from the field',
      locale: 'en',
      origin: FIXTURE_ORIGIN,
      settings: { ...DEFAULT_SEO_SETTINGS, twitterSite: '@notes', image: 'https://cdn.example.org/card.png' },
    },
    page: {
      kind: 'entry',
      title: fixtureEntry.title,
      canonicalUrl: fixtureEntry.url,
      description: '',
      noindex: false,
    },
    entry: fixtureEntry,
  }
}
