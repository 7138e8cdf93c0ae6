import path from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  BUNDLED_THEMES_DIR,
  DEFAULT_THEME_ID,
  createThemeRenderer,
  loadThemeFromDirectory,
  settingValues,
  type ThemeRenderer,
} from '../themes/index.ts'
import { buildSeo } from './seo.rules.ts'
import { seoLabelsOf } from './seo.labels.ts'
import { FIXTURE_ORIGIN, fixtureEntry, fixtureEntryInput } from './seo.fixture.ts'

let renderer: ThemeRenderer

beforeAll(async () => {
  renderer = createThemeRenderer(
    await loadThemeFromDirectory(path.join(BUNDLED_THEMES_DIR, DEFAULT_THEME_ID)),
  )
})

const renderSite = {
  name: 'Field Notes </script>',
  tagline: 'Writing from the field',
  url: FIXTURE_ORIGIN,
  locale: 'en',
  timeZone: 'UTC',
  feeds: [],
}

function renderEntry(scope: Record<string, unknown>): Promise<string> {
  return renderer.render(
    'entry',
    {
      page: {
        kind: 'entry',
        title: fixtureEntry.title,
        canonicalUrl: fixtureEntry.url,
        description: fixtureEntry.excerpt,
        status: 200,
        noindex: false,
        feeds: [],
      },
      entry: fixtureEntry,
      theme: { settings: settingValues(renderer.theme.manifest) },
      ...scope,
    },
    renderSite,
  )
}

function headOf(html: string): string {
  return html.slice(html.indexOf('<head>'), html.indexOf('</head>'))
}

describe('the default theme’s SEO partial', () => {
  it('writes the title, description, canonical link, cards and JSON-LD from `seo`, escaped', async () => {
    const seo = buildSeo(fixtureEntryInput())
    const head = headOf(await renderEntry({ seo }))
    expect(head.match(/<title>/g)).toHaveLength(1)
    expect(head).toContain('<title>On moss &amp; &lt;lichen&gt; – Field Notes &lt;/script&gt;</title>')
    expect(head).toContain(
      '<meta name="description" content="Moss grows where little else does: &#34;quietly&#34;, on stone &amp; bark.">',
    )
    expect(head).toContain(`<link rel="canonical" href="${fixtureEntry.url}">`)
    expect(head).not.toContain('name="robots"')
    expect(head).toContain('<meta property="og:type" content="article">')
    expect(head).toContain('<meta property="og:locale" content="en_US">')
    expect(head).toContain('<meta property="og:image" content="https://cdn.example.org/card.png">')
    expect(head).toContain('<meta name="twitter:card" content="summary">')
    expect(head).toContain('<meta name="twitter:site" content="@notes">')
    // The stylesheet and feeds lines stay.
    expect(head).toMatch(/<link rel="stylesheet" href="\/_assets\/[0-9a-f]+\/css\/site.css">/)

    const scripts = [...head.matchAll(/<script type="application\/ld\+json">([\s\S]*?)<\/script>/g)]
    expect(scripts).toHaveLength(1)
    const json = (scripts[0] as RegExpMatchArray)[1] as string
    // Written as built: no HTML escaping inside the data block, and nothing that could end it.
    expect(json).toBe(seo.jsonLd)
    const graph = (JSON.parse(json) as { '@graph': { '@type': string; name?: string }[] })['@graph']
    expect(graph.map((n) => n['@type'])).toEqual(['WebSite', 'Organization', 'BlogPosting', 'BreadcrumbList'])
    expect(graph[0]?.name).toBe('Field Notes </script>')
  })

  it('asks robots not to index a noindex entry', async () => {
    const input = fixtureEntryInput()
    const seo = buildSeo({ ...input, entry: { ...fixtureEntry, seo: { noindex: true } } })
    expect(headOf(await renderEntry({ seo }))).toContain('<meta name="robots" content="noindex, follow">')
  })

  it('reads its words from the theme’s translations', () => {
    expect(seoLabelsOf(renderer.theme, 'en')).toEqual({
      home: 'Home',
      pageNumber: 'Page {page}',
      notFound: 'Page not found',
      badRequest: 'Bad request',
      untitled: 'Untitled',
    })
    // A language the theme lacks falls back to its default.
    expect(seoLabelsOf(renderer.theme, 'xx').notFound).toBe('Page not found')
  })
})
