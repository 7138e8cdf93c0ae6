import { describe, expect, it } from 'vitest'
import { DEFAULT_SEO_SETTINGS } from '../../sites/index.ts'
import { buildSeo, openGraphLocale, trimDescription } from './seo.rules.ts'
import type { PageSeo, SeoEntry, SeoInput, SeoPage, SeoSite } from './seo.model.ts'

const site: SeoSite = {
  name: 'Field Notes',
  tagline: 'Writing from the field',
  locale: 'en',
  origin: 'https://notes.example.org',
  settings: { ...DEFAULT_SEO_SETTINGS },
}

const entry: SeoEntry = {
  title: 'On moss',
  excerpt: 'Moss grows where little else does.',
  url: 'https://notes.example.org/post/on-moss',
  publishedAt: '2026-03-09T10:00:00.000Z',
  updatedAt: '2026-03-10T08:30:00.000Z',
  author: { name: 'Ada', url: 'https://notes.example.org/author/0190' },
  terms: [
    {
      taxonomy: 'category',
      taxonomyName: 'Categories',
      items: [{ name: 'Botany', url: 'https://notes.example.org/category/botany' }],
    },
    {
      taxonomy: 'tag',
      taxonomyName: 'Tags',
      items: [
        { name: 'moss', url: 'https://notes.example.org/tag/moss' },
        { name: 'Botany', url: 'https://notes.example.org/tag/botany' },
      ],
    },
  ],
  ancestors: [],
  type: 'post',
  hierarchical: false,
  seo: {},
}

function entryInput(over: Partial<SeoEntry> = {}, siteOver: Partial<SeoSite> = {}): SeoInput {
  const e = { ...entry, ...over }
  return {
    site: { ...site, ...siteOver },
    page: { kind: 'entry', title: e.title, canonicalUrl: e.url, description: '', noindex: false },
    entry: e,
  }
}

function listing(page: Partial<SeoPage>, siteOver: Partial<SeoSite> = {}): SeoInput {
  return {
    site: { ...site, ...siteOver },
    page: { kind: 'archive', title: '', canonicalUrl: null, description: '', noindex: false, ...page },
  }
}

function metaOf(seo: PageSeo): Record<string, string[]> {
  const out: Record<string, string[]> = {}
  for (const m of seo.meta) {
    const key = 'property' in m ? m.property : m.name
    ;(out[key] ??= []).push(m.content)
  }
  return out
}

function graphOf(seo: PageSeo): Record<string, unknown>[] {
  const parsed = JSON.parse(seo.jsonLd) as { '@context': string; '@graph': Record<string, unknown>[] }
  expect(parsed['@context']).toBe('https://schema.org')
  return parsed['@graph']
}

const typesOf = (seo: PageSeo) => graphOf(seo).map((n) => n['@type'])

describe('buildSeo on an entry page', () => {
  it('titles it through the site template and describes it by its excerpt', () => {
    const seo = buildSeo(entryInput())
    expect(seo.title).toBe('On moss – Field Notes')
    expect(seo.description).toBe('Moss grows where little else does.')
    expect(seo.canonicalUrl).toBe(entry.url)
    expect(seo.robots).toBeNull()
  })

  it('writes Open Graph article tags and an X summary card', () => {
    const meta = metaOf(
      buildSeo(entryInput({}, { settings: { ...DEFAULT_SEO_SETTINGS, twitterSite: '@notes' } })),
    )
    expect(meta).toEqual({
      'og:type': ['article'],
      'og:title': ['On moss'],
      'og:description': ['Moss grows where little else does.'],
      'og:url': [entry.url],
      'og:site_name': ['Field Notes'],
      'og:locale': ['en_US'],
      'article:published_time': ['2026-03-09T10:00:00.000Z'],
      'article:modified_time': ['2026-03-10T08:30:00.000Z'],
      'article:author': ['https://notes.example.org/author/0190'],
      'article:section': ['Botany'],
      'article:tag': ['moss'],
      'twitter:card': ['summary'],
      'twitter:title': ['On moss'],
      'twitter:description': ['Moss grows where little else does.'],
      'twitter:site': ['@notes'],
    })
  })

  it('gives a BlogPosting with its author, dates, publisher and breadcrumb trail', () => {
    const seo = buildSeo(
      entryInput({
        ancestors: [
          { title: 'Guides', url: 'https://notes.example.org/page/guides' },
          { title: 'Dated parent', url: null },
        ],
      }),
    )
    expect(typesOf(seo)).toEqual(['WebSite', 'Organization', 'BlogPosting', 'BreadcrumbList'])
    const [website, publisher, article, crumbs] = graphOf(seo)
    expect(website).toMatchObject({
      '@id': 'https://notes.example.org/#website',
      url: 'https://notes.example.org/',
      name: 'Field Notes',
      inLanguage: 'en',
    })
    expect(publisher).toMatchObject({ '@type': 'Organization', name: 'Field Notes' })
    expect(article).toEqual({
      '@type': 'BlogPosting',
      '@id': `${entry.url}#article`,
      headline: 'On moss',
      description: 'Moss grows where little else does.',
      url: entry.url,
      mainEntityOfPage: { '@type': 'WebPage', '@id': entry.url },
      isPartOf: { '@id': 'https://notes.example.org/#website' },
      inLanguage: 'en',
      datePublished: '2026-03-09T10:00:00.000Z',
      dateModified: '2026-03-10T08:30:00.000Z',
      author: { '@type': 'Person', name: 'Ada', url: 'https://notes.example.org/author/0190' },
      publisher: { '@id': 'https://notes.example.org/#publisher' },
      articleSection: 'Botany',
      keywords: 'Botany, moss',
    })
    expect(crumbs).toEqual({
      '@type': 'BreadcrumbList',
      '@id': `${entry.url}#breadcrumb`,
      itemListElement: [
        { '@type': 'ListItem', position: 1, name: 'Home', item: 'https://notes.example.org/' },
        { '@type': 'ListItem', position: 2, name: 'Guides', item: 'https://notes.example.org/page/guides' },
        { '@type': 'ListItem', position: 3, name: 'On moss', item: entry.url },
      ],
    })
  })

  it('makes entries of a type arranged in a tree an Article', () => {
    expect(typesOf(buildSeo(entryInput({ hierarchical: true })))).toContain('Article')
  })

  it('lets the entry’s SEO title replace the whole title and its fields override the cards', () => {
    const seo = buildSeo(
      entryInput({ seo: { metaTitle: 'All about moss', metaDescription: 'A short guide.', noindex: true } }),
    )
    expect(seo.title).toBe('All about moss')
    expect(seo.description).toBe('A short guide.')
    expect(seo.robots).toBe('noindex, follow')
    expect(metaOf(seo)['og:title']).toEqual(['All about moss'])
    const social = buildSeo(
      entryInput({ seo: { metaTitle: 'All about moss', ogTitle: 'Moss!', ogDescription: 'Share this.' } }),
    )
    expect(metaOf(social)['og:title']).toEqual(['Moss!'])
    expect(metaOf(social)['twitter:description']).toEqual(['Share this.'])
    expect(social.description).toBe('Moss grows where little else does.')
  })

  it('uses the type’s own template before the site’s', () => {
    const settings = { ...DEFAULT_SEO_SETTINGS, typeTitleTemplates: { post: '{title} · Blog · {site}' } }
    expect(buildSeo(entryInput({}, { settings })).title).toBe('On moss · Blog · Field Notes')
    expect(buildSeo(entryInput({ type: 'page' }, { settings })).title).toBe('On moss – Field Notes')
  })

  it('falls back to the site’s description, then its tagline, and names an untitled entry', () => {
    const bare = entryInput({ title: '  ', excerpt: '', seo: { metaDescription: '   ' } })
    expect(buildSeo(bare).title).toBe('Untitled – Field Notes')
    expect(buildSeo(bare).description).toBe('Writing from the field')
    const described = entryInput(
      { excerpt: '' },
      { settings: { ...DEFAULT_SEO_SETTINGS, defaultDescription: 'A notebook.' } },
    )
    expect(buildSeo(described).description).toBe('A notebook.')
  })

  it('adds the site image to the cards and the publisher', () => {
    const image = 'https://cdn.example.org/card.png'
    const seo = buildSeo(entryInput({}, { settings: { ...DEFAULT_SEO_SETTINGS, image } }))
    expect(metaOf(seo)['og:image']).toEqual([image])
    expect(metaOf(seo)['twitter:image']).toEqual([image])
    const [, publisher, article] = graphOf(seo)
    expect(publisher).toMatchObject({ logo: { '@type': 'ImageObject', url: image } })
    expect(article).toMatchObject({ image })
  })
})

describe('buildSeo on other pages', () => {
  it('titles the front page by its template, paged or not', () => {
    const front = listing({ kind: 'front', canonicalUrl: 'https://notes.example.org/' })
    const seo = buildSeo(front)
    expect(seo.title).toBe('Field Notes – Writing from the field')
    expect(seo.description).toBe('Writing from the field')
    expect(metaOf(seo)['og:type']).toEqual(['website'])
    expect(metaOf(seo)['og:title']).toEqual(['Field Notes'])
    expect(typesOf(seo)).toEqual(['WebSite', 'Organization'])
    const second = buildSeo({
      ...front,
      page: { ...front.page, pageNumber: 2, canonicalUrl: 'https://notes.example.org/page/2' },
    })
    expect(second.title).toBe('Field Notes – Writing from the field – Page 2')
    expect(buildSeo(listing({ kind: 'front' }, { tagline: '' })).title).toBe('Field Notes')
  })

  it('titles archives with their page number in the site’s language', () => {
    for (const kind of ['archive', 'taxonomy', 'author', 'date'] as const) {
      const input = listing({
        kind,
        title: 'Botany',
        canonicalUrl: 'https://notes.example.org/category/botany',
      })
      expect(buildSeo(input).title).toBe('Botany – Field Notes')
      const paged = {
        ...input,
        page: { ...input.page, pageNumber: 3 },
        labels: { pageNumber: 'Seite {page}' },
      }
      expect(buildSeo(paged).title).toBe('Botany – Seite 3 – Field Notes')
    }
  })

  it('gives archives a CollectionPage and a two-step breadcrumb trail', () => {
    const url = 'https://notes.example.org/category/botany'
    const seo = buildSeo(
      listing({ kind: 'taxonomy', title: 'Botany', canonicalUrl: url, description: 'Plants.' }),
    )
    expect(seo.description).toBe('Plants.')
    expect(typesOf(seo)).toEqual(['WebSite', 'Organization', 'CollectionPage', 'BreadcrumbList'])
    const crumbs = graphOf(seo)[3] as { itemListElement: unknown[] }
    expect(crumbs.itemListElement).toEqual([
      { '@type': 'ListItem', position: 1, name: 'Home', item: 'https://notes.example.org/' },
      { '@type': 'ListItem', position: 2, name: 'Botany', item: url },
    ])
  })

  it('titles error pages in the theme’s words, asks not to index them and writes no cards', () => {
    const notFound = buildSeo(listing({ kind: 'not-found', noindex: true }))
    expect(notFound.title).toBe('Page not found – Field Notes')
    expect(notFound.robots).toBe('noindex, follow')
    expect(notFound.meta).toEqual([])
    expect(notFound.description).toBe('')
    expect(typesOf(notFound)).toEqual(['WebSite', 'Organization'])
    const bad = buildSeo({ ...listing({ kind: 'bad-request' }), labels: { badRequest: 'Requête invalide' } })
    expect(bad.title).toBe('Requête invalide – Field Notes')
    expect(bad.robots).toBe('noindex, follow')
    // A site that is gone: no name to add.
    expect(buildSeo(listing({ kind: 'not-found' }, { name: '', tagline: '' })).title).toBe('Page not found')
  })

  it('asks not to index a page of a site that discourages indexing', () => {
    expect(buildSeo(listing({ kind: 'front', noindex: true })).robots).toBe('noindex, follow')
  })
})

describe('JSON-LD safety', () => {
  it('cannot end the script element or open a comment, and parses back to the same text', () => {
    const nasty = '</script><script>alert(1)</script> <!-- & \u2028\u2029'
    const seo = buildSeo(entryInput({ title: nasty, excerpt: nasty }, { name: nasty }))
    expect(seo.jsonLd).not.toMatch(/[<>&\u2028\u2029]/)
    const article = graphOf(seo).find((n) => n['@type'] === 'BlogPosting')
    expect(article?.headline).toBe(nasty.replace(/\s+/g, ' ').trim())
    expect(graphOf(seo)[0]?.name).toBe(nasty)
  })

  it('cuts long headlines to 110 characters', () => {
    const seo = buildSeo(entryInput({ title: 'word '.repeat(40) }))
    const article = graphOf(seo).find((n) => n['@type'] === 'BlogPosting') as { headline: string }
    expect(article.headline).toHaveLength(110)
    expect(article.headline.endsWith('…')).toBe(true)
  })
})

describe('openGraphLocale', () => {
  it('writes language_TERRITORY, guessing the territory of a bare language', () => {
    expect(openGraphLocale('en')).toBe('en_US')
    expect(openGraphLocale('fr')).toBe('fr_FR')
    expect(openGraphLocale('pt-BR')).toBe('pt_BR')
    expect(openGraphLocale('en-GB')).toBe('en_GB')
    expect(openGraphLocale('de-CH')).toBe('de_CH')
    expect(openGraphLocale('not a locale')).toBe('en_US')
  })
})

describe('trimDescription', () => {
  it('keeps short text, collapsing white space', () => {
    expect(trimDescription('  a\n\nshort   text ')).toBe('a short text')
  })

  it('cuts long text at a word boundary within 160 characters, with an ellipsis', () => {
    const text = 'lorem ipsum dolor sit amet, '.repeat(12)
    const cut = trimDescription(text)
    expect(cut.length).toBeLessThanOrEqual(160)
    expect(cut.endsWith('…')).toBe(true)
    expect(text.startsWith(cut.slice(0, -1))).toBe(true)
    expect(cut.slice(0, -1)).toMatch(/\w$/)
    expect(text.charAt(cut.length - 1)).toMatch(/[\s,]/)
  })

  it('cuts a text without spaces at the limit', () => {
    expect(trimDescription('x'.repeat(300))).toBe(`${'x'.repeat(159)}…`)
  })

  it('trims entry descriptions in the built head', () => {
    const long = 'word '.repeat(100)
    const seo = buildSeo(entryInput({ excerpt: long }))
    expect(seo.description.length).toBeLessThanOrEqual(160)
    expect(metaOf(seo)['og:description']).toEqual([seo.description])
  })
})
