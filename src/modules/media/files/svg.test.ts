import { SaxesParser } from 'saxes'
import { beforeAll, describe, expect, it } from 'vitest'
import { isAppError } from '../../../platform/errors/index.ts'
import { sanitizeSvg, type SvgLimits } from './svg.ts'

// jsdom and DOMPurify load with the first call: pay for it once, outside the tests' own time.
beforeAll(async () => {
  await sanitizeSvg(svg(''))
})

function svg(body: string, rootAttributes = ''): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${rootAttributes}>${body}</svg>`
}

/** The refusal `sanitizeSvg` throws for `input`, as code, status and details. */
async function refusal(input: string | Buffer, limits?: Partial<SvgLimits>) {
  try {
    await sanitizeSvg(input, limits)
  } catch (err) {
    if (!isAppError(err)) throw err
    return { code: err.code, status: err.status, details: err.details as Record<string, unknown> }
  }
  throw new Error('the SVG was accepted')
}

interface Tag {
  name: string
  attributes: Record<string, string>
}

/** Every element of an XML text, in order, with its attributes (qualified names). */
function tagsOf(xml: string): Tag[] {
  const parser = new SaxesParser({ xmlns: true })
  const tags: Tag[] = []
  parser.on('opentag', (tag) => {
    const attributes = Object.fromEntries(Object.values(tag.attributes).map((a) => [a.name, a.value]))
    tags.push({ name: tag.name, attributes })
  })
  parser.write(xml).close()
  return tags
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  ${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('\n  ')}
]>
${svg('<text>&lol9;</text>')}`

describe('sanitizeSvg refuses active and outside content', () => {
  it.each([
    ['a script element', svg('<script>alert(1)</script>'), 'script', { element: 'script' }],
    ['an onload attribute', svg('<rect/>', ' onload="alert(1)"'), 'event_handler', { attribute: 'onload' }],
    [
      'a javascript: link on <a>, with a tab in its scheme',
      svg('<a href=" java&#9;script:alert(1)"><text>go</text></a>'),
      'script_url',
      { element: 'a', attribute: 'href' },
    ],
    [
      'an external <image href="http://…">',
      svg('<image href="http://example.com/a.png" width="1" height="1"/>'),
      'external_reference',
      { element: 'image', attribute: 'href' },
    ],
    [
      '<use xlink:href="other.svg#x">',
      svg('<use xlink:href="other.svg#x"/>'),
      'external_reference',
      { element: 'use', attribute: 'xlink:href' },
    ],
    [
      'a <style> with url(http…)',
      svg('<style>.a { fill: url(http://example.com/p.svg#g) }</style>'),
      'external_reference',
      { element: 'style' },
    ],
    [
      'a <style> with @import',
      svg('<style>@import "https://example.com/x.css";</style>'),
      'external_reference',
      {},
    ],
    [
      'a style attribute hiding url( behind a CSS escape',
      svg('<rect style="fill: \\75 rl(https://example.com/p)"/>'),
      'external_reference',
      { attribute: 'style' },
    ],
    [
      'a presentation attribute with an outside url()',
      svg('<rect filter="url(&quot;https://example.com/f.svg#f&quot;)"/>'),
      'external_reference',
      { attribute: 'filter' },
    ],
    [
      'a foreignObject holding HTML',
      svg('<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>'),
      'foreign_object',
      { element: 'foreignObject' },
    ],
    [
      'an <image> holding an SVG data: URL',
      svg('<image href="data:image/svg+xml;base64,PHN2Zy8+"/>'),
      'data_url',
      { element: 'image' },
    ],
    ['xml:base', svg('<g xml:base="https://example.com/"><use href="#a"/></g>'), 'external_reference', {}],
    [
      'a processing instruction (a style sheet)',
      `<?xml-stylesheet href="https://example.com/x.css"?>${svg('')}`,
      'processing_instruction',
      { target: 'xml-stylesheet' },
    ],
    ['a DOCTYPE with entity expansion (billion laughs)', BILLION_LAUGHS, 'doctype', {}],
    [
      'a DOCTYPE declaring an external entity',
      `<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>${svg('<text>hi</text>')}`,
      'doctype',
      {},
    ],
    [
      'an animation that DOMPurify removes',
      svg('<a><animate attributeName="href" values="javascript:alert(1)"/><text>x</text></a>'),
      'unsupported_content',
      { element: 'animate' },
    ],
    [
      'an HTML element inside the drawing',
      svg('<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://example.com"/>'),
      'unsupported_content',
      { element: 'h:iframe' },
    ],
  ])('%s', async (_what, input, reason, facts) => {
    const result = await refusal(input)
    expect(result).toMatchObject({ code: 'COLOPHON_MEDIA_SVG_UNSAFE', status: 422 })
    expect(result.details).toMatchObject({ reason, ...facts })
  })
})

describe('sanitizeSvg refuses what it cannot read or bound', () => {
  it.each([
    ['an unclosed tag', svg('<g><rect/>')],
    ['a root other than <svg>', '<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'],
    ['an <svg> root outside the SVG namespace', '<svg><path d="M0 0"/></svg>'],
    ['an undefined entity', svg('<text>&nbsp;</text>')],
    ['bytes that are not UTF-8', Buffer.concat([Buffer.from(svg('<text>')), Buffer.from([0xff, 0xfe])])],
    ['no markup at all', 'just some text'],
  ])('%s is malformed', async (_what, input) => {
    expect((await refusal(input)).details).toMatchObject({ reason: 'malformed' })
  })

  it('refuses more than 10,000 elements', async () => {
    const result = await refusal(svg('<rect/>'.repeat(10_000)))
    expect(result.details).toMatchObject({ reason: 'too_many_elements', maxElements: 10_000 })
  })

  it('refuses elements nested deeper than the limit', async () => {
    const result = await refusal(svg(`${'<g>'.repeat(300)}${'</g>'.repeat(300)}`))
    expect(result.details).toMatchObject({ reason: 'too_deep', maxDepth: 256 })
  })

  it('refuses a file past the byte limit', async () => {
    const input = svg(`<desc>${'x'.repeat(2000)}</desc>`)
    expect((await refusal(input, { maxBytes: 1024 })).details).toMatchObject({
      reason: 'too_large',
      maxBytes: 1024,
    })
  })
})

const LOGO = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<!-- Exported by a drawing program -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" viewBox="0 0 120 60" role="img"
     inkscape:version="1.3">
  <title>Company logo</title>
  <desc>A circle and a wave</desc>
  <style><![CDATA[ .wave { fill: url(#sky); stroke: #123 } ]]></style>
  <defs>
    <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#39f"/>
      <stop offset="1" stop-color="#fff"/>
    </linearGradient>
    <path id="a" d="M10 30 C 30 10, 50 50, 70 30" inkscape:label="wave"/>
  </defs>
  <circle cx="90" cy="30" r="20" fill="url(#sky)"/>
  <use href="#a" class="wave"/>
  <use xlink:href="#a" transform="translate(0 10)"/>
  <g><path d="M0 0h120v60H0z" fill="none" stroke="#000"/></g>
  <text x="4" y="56" font-family="sans-serif">Colophon &amp; Co</text>
</svg>`

describe('sanitizeSvg accepts ordinary drawings', () => {
  it('keeps a logo with a gradient, <use href="#a"> and plain CSS, and drops editor metadata', async () => {
    const result = await sanitizeSvg(Buffer.from(LOGO))
    const text = result.svg.toString('utf8')
    const tags = tagsOf(text)
    expect(tags.filter((t) => t.name === 'path').map((t) => t.attributes.d)).toEqual([
      'M10 30 C 30 10, 50 50, 70 30',
      'M0 0h120v60H0z',
    ])
    expect(
      tags.filter((t) => t.name === 'use').map((t) => t.attributes.href ?? t.attributes['xlink:href']),
    ).toEqual(['#a', '#a'])
    expect(tags.filter((t) => t.name === 'stop')).toHaveLength(2)
    expect(tags.find((t) => t.name === 'circle')?.attributes.fill).toBe('url(#sky)')
    expect(tags[0]?.attributes.role).toBe('img')
    expect(text).toContain('.wave { fill: url(#sky); stroke: #123 }')
    expect(text).toContain('Colophon &amp; Co')
    expect(text).toContain('<title>Company logo</title>')
    expect(text).not.toMatch(/inkscape|DOCTYPE|<!--/)
    expect({ width: result.width, height: result.height }).toEqual({ width: 120, height: 60 })
  })

  it('takes the size from width and height in px, and from the viewBox for the missing one', async () => {
    expect(await sanitizeSvg(svg('<rect/>', ' width="300px" height="150"'))).toMatchObject({
      width: 300,
      height: 150,
    })
    expect(await sanitizeSvg(svg('<rect/>', ' width="200" viewBox="0 0 100 50"'))).toMatchObject({
      width: 200,
      height: 100,
    })
    expect(await sanitizeSvg(svg('<rect/>', ' width="100%" height="10em"'))).toMatchObject({
      width: undefined,
      height: undefined,
    })
  })

  it('keeps a PNG embedded as a data: URL in <image>', async () => {
    const png =
      'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='
    const result = await sanitizeSvg(svg(`<image href="${png}" width="1" height="1"/>`))
    expect(tagsOf(result.svg.toString('utf8')).find((t) => t.name === 'image')?.attributes.href).toBe(png)
  })
})
