import { describe, expect, it } from 'vitest'
import {
  assertRichText,
  classifyUrl,
  mediaIdsInRichText,
  plainTextOf,
  renderRichText,
  richTextProblem,
} from './rich-text.ts'

const doc = (...content: unknown[]) => ({ type: 'doc', content })
const para = (...content: unknown[]) => ({ type: 'paragraph', content })
const text = (t: string, marks?: unknown[]) => ({ type: 'text', text: t, ...(marks ? { marks } : {}) })
const link = (href: string) => [{ type: 'link', attrs: { href } }]

describe('renderRichText', () => {
  it('renders the allowed nodes and marks', () => {
    const html = renderRichText(
      doc(
        { type: 'heading', attrs: { level: 3 }, content: [text('Title')] },
        para(
          text('bold', [{ type: 'bold' }]),
          text(' and '),
          text('code', [{ type: 'code' }, { type: 'italic' }]),
        ),
        { type: 'bulletList', content: [{ type: 'listItem', content: [para(text('one'))] }] },
        {
          type: 'orderedList',
          attrs: { start: 3 },
          content: [{ type: 'listItem', content: [para(text('three'))] }],
        },
        { type: 'blockquote', content: [para(text('quoted'), { type: 'hardBreak' }, text('more'))] },
        { type: 'codeBlock', attrs: { language: 'js' }, content: [text('a < b')] },
        { type: 'horizontalRule' },
        {
          type: 'table',
          content: [
            {
              type: 'tableRow',
              content: [{ type: 'tableHeader', attrs: { colspan: 2 }, content: [para(text('h'))] }],
            },
          ],
        },
      ),
    )
    expect(html).toBe(
      '<h3>Title</h3><p><strong>bold</strong> and <em><code>code</code></em></p><ul><li><p>one</p></li></ul>' +
        '<ol start="3"><li><p>three</p></li></ol><blockquote><p>quoted<br />more</p></blockquote>' +
        '<pre><code>a &lt; b</code></pre><hr /><table><tr><th colspan="2"><p>h</p></th></tr></table>',
    )
  })

  it('puts rel on external links only', () => {
    expect(renderRichText(doc(para(text('x', link('https://example.com')))))).toBe(
      '<p><a href="https://example.com" rel="noopener noreferrer nofollow">x</a></p>',
    )
    expect(renderRichText(doc(para(text('x', link('/about')))))).toBe('<p><a href="/about">x</a></p>')
    expect(renderRichText(doc(para(text('x', link('mailto:a@example.com')))))).toBe(
      '<p><a href="mailto:a@example.com">x</a></p>',
    )
  })

  it.each([
    'javascript:alert(1)',
    'JAVASCRIPT:alert(1)',
    ' java\tscript:alert(1)',
    'java\u0000script:alert(1)',
    'vbscript:x',
    'data:text/html;base64,PHNjcmlwdD4=',
  ])('drops the unsafe link %j but keeps its text', (href) => {
    expect(renderRichText(doc(para(text('x', link(href)))))).toBe('<p>x</p>')
  })

  it('drops images without an http(s) or site-relative source', () => {
    expect(renderRichText(doc({ type: 'image', attrs: { src: 'data:image/png;base64,AAAA' } }))).toBe('')
    expect(renderRichText(doc({ type: 'image', attrs: { src: 'javascript:x' } }))).toBe('')
    expect(renderRichText(doc({ type: 'image', attrs: { src: '/media/a.png', alt: 'A' } }))).toBe(
      '<img src="/media/a.png" alt="A" />',
    )
  })

  it('escapes text and ignores unknown attributes and nodes', () => {
    const html = renderRichText(
      doc(
        {
          type: 'paragraph',
          attrs: { onclick: 'x', style: 'color:red', class: 'c' },
          content: [text('<b>"hi"</b>')],
        },
        { type: 'script', content: [text('alert(1)')] },
        { type: 'iframe', attrs: { src: 'https://evil.example' } },
      ),
    )
    expect(html).toBe('<p>&lt;b&gt;"hi"&lt;/b&gt;</p>')
  })

  it('renders nothing for null or a non-document', () => {
    expect(renderRichText(null)).toBe('')
    expect(renderRichText('<script>x</script>')).toBe('')
  })
})

describe('assertRichText', () => {
  it('accepts documents and null', () => {
    expect(() => assertRichText(null)).not.toThrow()
    expect(() => assertRichText(doc(para(text('ok'))))).not.toThrow()
  })

  it.each([
    ['not a document', { type: 'paragraph' }, 'rich_text'],
    ['unknown node', doc({ type: 'script' }), 'unknown_node'],
    ['unknown mark', doc(para(text('x', [{ type: 'font' }]))), 'unknown_mark'],
    ['unsafe link', doc(para(text('x', link('javascript:alert(1)')))), 'unsafe_url'],
    ['data image', doc({ type: 'image', attrs: { src: 'data:image/png;base64,AA' } }), 'unsafe_url'],
    ['text without text', doc(para({ type: 'text' })), 'rich_text'],
    ['content not a list', doc({ type: 'paragraph', content: 'x' }), 'rich_text'],
  ])('refuses %s', (_name, value, code) => {
    expect(richTextProblem(value)?.code).toBe(code)
    try {
      assertRichText(value)
      expect.unreachable()
    } catch (err) {
      expect(err).toMatchObject({
        code: 'COLOPHON_CONTENT_FIELDS_INVALID',
        details: { fields: { body: { code } } },
      })
    }
  })

  it('refuses documents that nest too deep or are too large', () => {
    let deep: unknown = text('x')
    for (let i = 0; i < 60; i++) deep = { type: 'blockquote', content: [deep] }
    expect(richTextProblem(doc(deep))?.code).toBe('too_deep')
    const big = doc(para(text('x'.repeat(600 * 1024))))
    expect(richTextProblem(big)?.code).toBe('too_large')
  })

  it('refuses a document nested 10,000 levels deep with a code, not a stack overflow', () => {
    let deep: unknown = text('x')
    for (let i = 0; i < 10_000; i++) deep = { type: 'blockquote', content: [deep] }
    expect(richTextProblem(doc(deep))?.code).toBe('too_deep')
  })
})

describe('classifyUrl and plainTextOf', () => {
  it('classifies URLs', () => {
    expect(classifyUrl('https://a.example', 'link')).toBe('external')
    expect(classifyUrl('//a.example/x', 'link')).toBe('external')
    expect(classifyUrl('#top', 'link')).toBe('local')
    expect(classifyUrl('page.html', 'image')).toBeUndefined()
    expect(classifyUrl('ftp://a.example', 'link')).toBeUndefined()
  })

  it('extracts text by block', () => {
    expect(plainTextOf(doc(para(text('a'), text('b')), para(text('c'))))).toBe('ab\nc')
  })
})

describe('images that name media items', () => {
  const doc = (...mediaIds: unknown[]) => ({
    type: 'doc',
    content: mediaIds.map((mediaId) => ({
      type: 'paragraph',
      content: [{ type: 'image', attrs: { src: '/media/a.png', mediaId } }],
    })),
  })
  const id = '01a24ec0-b239-736a-a230-326cc9023867'

  it('lists each media item once, in lower case', () => {
    expect(mediaIdsInRichText(doc(id, id.toUpperCase()))).toEqual([id])
    expect(mediaIdsInRichText({ type: 'doc', content: [{ type: 'paragraph' }] })).toEqual([])
  })

  it('refuses a mediaId that is not an id', () => {
    expect(richTextProblem(doc('../etc'))?.code).toBe('rich_text')
    expect(richTextProblem(doc(42))?.code).toBe('rich_text')
    expect(richTextProblem(doc(id))).toBeUndefined()
  })
})
