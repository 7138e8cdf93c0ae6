import { describe, expect, it } from 'vitest'
import { RenderErrors } from '../render.errors.ts'
import { createThemeRenderer, DEFAULT_RENDER_LIMITS, type RenderSite } from './theme.renderer.ts'
import { themeOf } from './theme.fixture.ts'

const site: RenderSite = {
  url: 'https://example.org',
  locale: 'en-GB',
  timeZone: 'Europe/London',
  name: 'Example',
}

/** Renders `index` of a theme made of `files`; failures come back as the error's details. */
async function render(
  files: Record<string, string>,
  scope: Record<string, unknown> = {},
  limits = DEFAULT_RENDER_LIMITS,
) {
  const renderer = createThemeRenderer(themeOf(files), limits)
  try {
    return await renderer.render('index', scope, site)
  } catch (err) {
    if (!RenderErrors.templateFailed.is(err)) throw err
    return { failed: (err.details as { message: string }).message }
  }
}

/** The issues that stop a theme from loading. */
function refused(files: Record<string, string>, limits = DEFAULT_RENDER_LIMITS) {
  try {
    createThemeRenderer(themeOf(files), limits)
  } catch (err) {
    if (RenderErrors.themeInvalid.is(err)) return (err.details as { issues: { path: string }[] }).issues
    throw err
  }
  return []
}

describe('theme renderer', () => {
  it('renders templates with partials and layouts, escaping every output unless asked not to', async () => {
    const files = {
      'partials/layouts/base.liquid': '<main>{% block content %}{% endblock %}</main>',
      'partials/byline.liquid': 'by {{ name }}',
      'templates/index.liquid':
        "{% layout 'layouts/base' %}{% block content %}<h1>{{ entry.title }}</h1>{% render 'byline', name: entry.author %}{{ entry.bodyHtml | raw }}{% endblock %}",
    }
    const scope = { entry: { title: 'Tom & <Jerry>', author: '<script>', bodyHtml: '<p>Safe</p>' } }
    expect(await render(files, scope)).toBe(
      '<main><h1>Tom &amp; &lt;Jerry&gt;</h1>by &lt;script&gt;<p>Safe</p></main>',
    )
  })

  it('reads no file outside the theme, whatever the path', async () => {
    for (const path of [
      '../../../../etc/hostname',
      '/etc/hostname',
      '../theme.json',
      'templates/../../package.json',
    ]) {
      expect(await render({ 'templates/index.liquid': `{% render '${path}' %}` }), path).toEqual({
        failed: expect.stringMatching(/ENOENT|Failed to lookup/),
      })
      expect(await render({ 'templates/index.liquid': `{% layout '${path}' %}x` }), path).toEqual({
        failed: expect.stringMatching(/ENOENT|Failed to lookup/),
      })
    }
  })

  it('reads own properties only: nothing inherited is visible', async () => {
    const template =
      '[{{ site.constructor }}][{{ entry.constructor.name }}][{{ entry.__proto__ }}][{{ entry.toString }}]' +
      '[{{ entries.constructor }}][{{ entry.title.constructor }}][{{ entry.hasOwnProperty }}]'
    expect(
      await render(
        { 'templates/index.liquid': template },
        { entry: { title: 'T' }, entries: [{ title: 'A' }] },
      ),
    ).toBe('[][][][][][][]')
  })

  it('stops a looping template at the render limit, and a growing one at the memory limit', async () => {
    // 9 million iterations: within the memory bound, far past 50 ms.
    const loop = '{% for i in (1..3000) %}{% for j in (1..3000) %}{{ j }}{% endfor %}{% endfor %}'
    const slow = { ...DEFAULT_RENDER_LIMITS, renderMs: 50 }
    expect(await render({ 'templates/index.liquid': loop }, {}, slow)).toEqual({
      failed: expect.stringMatching(/template render limit exceeded/),
    })
    const doubling =
      '{% assign a = "x,y" | split: "," %}{% for i in (1..40) %}{% assign a = a | concat: a %}{% endfor %}{{ a.size }}'
    // A generous time bound, so that a loaded machine cannot reach it before the memory bound.
    const roomy = { ...DEFAULT_RENDER_LIMITS, renderMs: 60_000 }
    expect(await render({ 'templates/index.liquid': doubling }, {}, roomy)).toEqual({
      failed: expect.stringMatching(/memory alloc limit exceeded/),
    })
  })

  it('refuses a theme whose template does not parse, uses an unknown filter or is over the parse limit', () => {
    expect(refused({ 'partials/broken.liquid': '{% if %}' })).toEqual([
      { path: 'partials/broken.liquid', message: expect.any(String) },
    ])
    expect(refused({ 'templates/index.liquid': '{{ x | no_such_filter }}' })).toEqual([
      { path: 'templates/index.liquid', message: expect.stringMatching(/undefined filter/) },
    ])
    expect(
      refused({ 'templates/index.liquid': 'x'.repeat(200) }, { ...DEFAULT_RENDER_LIMITS, parseChars: 100 }),
    ).toEqual([
      { path: 'templates/index.liquid', message: expect.stringMatching(/parse length limit exceeded/) },
    ])
  })

  it('names assets by content hash, and fails on an asset the theme lacks', async () => {
    const theme = themeOf({
      'assets/css/site.css': 'body{}',
      'templates/index.liquid': "{{ 'css/site.css' | asset_url }}",
    })
    const hash = theme.assets.get('css/site.css')?.hash
    expect(hash).toMatch(/^[0-9a-f]{16}$/)
    expect(await createThemeRenderer(theme).render('index', {}, site)).toBe(`/_assets/${hash}/css/site.css`)
    expect(await render({ 'templates/index.liquid': "{{ 'missing.css' | asset_url }}" })).toEqual({
      failed: 'asset_url: the theme has no asset "missing.css", file:templates/index.liquid, line:1, col:1',
    })
  })

  it('makes site paths absolute on the site origin and leaves other URLs alone', async () => {
    const template =
      "{{ '/about/' | url }} {{ 'https://other.example/' | url }} {{ '//evil.example/' | url }}"
    expect(await render({ 'templates/index.liquid': template })).toBe(
      'https://example.org/about/ https://other.example/ //evil.example/',
    )
  })

  it("writes dates in the site's time zone and language", async () => {
    const at = '2026-01-01T00:30:00Z'
    const renderer = createThemeRenderer(
      themeOf({
        'templates/index.liquid':
          "{{ at | date: 'long' }}|{{ at | date: 'year' }}|{{ at | date: 'iso' }}|{{ missing | date }}",
      }),
    )
    expect(
      await renderer.render('index', { at }, { ...site, timeZone: 'America/New_York', locale: 'en-US' }),
    ).toBe('December 31, 2025|2025|2026-01-01T00:30:00.000Z|')
    expect(
      await renderer.render('index', { at }, { ...site, timeZone: 'Europe/Paris', locale: 'fr-FR' }),
    ).toBe('1 janvier 2026|2026|2026-01-01T00:30:00.000Z|')
  })

  it('cuts excerpts from HTML as plain text', async () => {
    const template = '{{ html | excerpt: 3 }}|{{ html | excerpt }}'
    expect(
      await render({ 'templates/index.liquid': template }, { html: '<p>One <b>two</b> three&nbsp;four</p>' }),
    ).toBe('One two three…|One two three four')
  })

  it('translates with the site language, then the bare language, then the default, then the key', async () => {
    const files = {
      'locales/en.json': JSON.stringify({ read_more: 'Read more', by: 'By {name}', only_en: 'English' }),
      'locales/fr.json': JSON.stringify({ read_more: 'Lire la suite', by: 'Par {name}' }),
      'templates/index.liquid':
        "{{ 'read_more' | t }}|{{ 'by' | t: name: who }}|{{ 'only_en' | t }}|{{ 'nope' | t }}",
    }
    const renderer = createThemeRenderer(themeOf(files))
    expect(await renderer.render('index', { who: '<Ann>' }, { ...site, locale: 'fr-CA' })).toBe(
      'Lire la suite|Par &lt;Ann&gt;|English|nope',
    )
  })
})
