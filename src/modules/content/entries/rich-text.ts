import sanitizeHtml from 'sanitize-html'
import { ContentErrors } from '../content.errors.ts'

/**
 * Rich text: entry bodies are stored as ProseMirror/Tiptap JSON and rendered to HTML here, on the
 * server, once per save. Two walls keep the HTML inert: the renderer writes only allow-listed elements
 * and attributes with every text escaped, and sanitize-html then re-parses the result with the same
 * allow-list, so a renderer bug cannot smuggle markup through.
 *
 * Decision: unknown node or mark types are refused when saving (`assertRichText`, code `unknown_node`
 * or `unknown_mark`) rather than silently dropped, so an editor never loses content without being told;
 * the renderer itself drops anything unknown, for documents stored before a type was removed.
 */

export const BODY_MAX_BYTES = 512 * 1024
const MAX_DEPTH = 40
const MAX_NODES = 50_000
const MAX_URL_LENGTH = 2048

type Node = { type?: unknown; attrs?: unknown; content?: unknown; text?: unknown; marks?: unknown }
type Attrs = Record<string, unknown>

/** Node type (Tiptap and ProseMirror spellings) → element; `null` for the ones rendered specially. */
const BLOCKS: Record<string, string | null> = {
  doc: null,
  text: null,
  heading: null,
  image: null,
  orderedList: null,
  ordered_list: null,
  codeBlock: null,
  code_block: null,
  paragraph: 'p',
  blockquote: 'blockquote',
  bulletList: 'ul',
  bullet_list: 'ul',
  listItem: 'li',
  list_item: 'li',
  table: 'table',
  tableRow: 'tr',
  table_row: 'tr',
  tableCell: 'td',
  table_cell: 'td',
  tableHeader: 'th',
  table_header: 'th',
  horizontalRule: 'hr',
  horizontal_rule: 'hr',
  hardBreak: 'br',
  hard_break: 'br',
}
const VOID = new Set(['hr', 'br'])
const MARKS: Record<string, string | null> = {
  bold: 'strong',
  strong: 'strong',
  italic: 'em',
  em: 'em',
  underline: 'u',
  strike: 's',
  code: 'code',
  link: null,
}

const isRecord = (v: unknown): v is Attrs => typeof v === 'object' && v !== null && !Array.isArray(v)

export function escapeText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

/** What a URL is allowed to be, or undefined when it is refused (`javascript:`, `data:`, …). */
export function classifyUrl(raw: unknown, allowed: 'link' | 'image'): 'external' | 'local' | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) return undefined
  // Browsers ignore control characters and whitespace inside a scheme (`java\tscript:`): so do we.
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const url = raw.replace(/[\u0000-\u0020\u007f-\u009f]/g, '')
  // Protocol-relative (browsers read a leading backslash as a slash): another host, this page's scheme.
  if (/^[/\\]{2}/.test(url)) return 'external'
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase()
  if (scheme === undefined) {
    // Relative: images only from this host's root (e.g. `/media/…`); links anywhere relative.
    return allowed === 'link' || url.startsWith('/') ? 'local' : undefined
  }
  if (scheme === 'http' || scheme === 'https') return 'external'
  if (scheme === 'mailto' && allowed === 'link') return 'local'
  return undefined
}

function attr(name: string, value: string): string {
  return ` ${name}="${escapeText(value)}"`
}

function renderMarks(text: string, marks: unknown): string {
  let html = escapeText(text)
  if (!Array.isArray(marks)) return html
  for (const mark of marks) {
    if (!isRecord(mark) || typeof mark.type !== 'string') continue
    const tag = MARKS[mark.type]
    if (tag) html = `<${tag}>${html}</${tag}>`
    else if (mark.type === 'link') html = renderLink(html, isRecord(mark.attrs) ? mark.attrs.href : undefined)
  }
  return html
}

function renderLink(inner: string, href: unknown): string {
  const kind = classifyUrl(href, 'link')
  if (!kind) return inner
  const rel = kind === 'external' ? attr('rel', 'noopener noreferrer nofollow') : ''
  return `<a${attr('href', String(href).trim())}${rel}>${inner}</a>`
}

function renderImage(attrs: Attrs): string {
  if (!classifyUrl(attrs.src, 'image')) return ''
  let html = `<img${attr('src', String(attrs.src).trim())}`
  if (typeof attrs.alt === 'string') html += attr('alt', attrs.alt)
  if (typeof attrs.title === 'string') html += attr('title', attrs.title)
  return `${html}>`
}

function renderNode(node: unknown, depth: number): string {
  if (!isRecord(node) || typeof node.type !== 'string' || depth > MAX_DEPTH) return ''
  const n = node as Node
  const attrs = isRecord(n.attrs) ? n.attrs : {}
  const inner = () =>
    Array.isArray(n.content) ? n.content.map((child) => renderNode(child, depth + 1)).join('') : ''
  switch (node.type) {
    case 'text':
      return typeof n.text === 'string' ? renderMarks(n.text, n.marks) : ''
    case 'doc':
      return inner()
    case 'heading': {
      const level = Number.isInteger(attrs.level) ? Math.min(6, Math.max(1, attrs.level as number)) : 2
      return `<h${level}>${inner()}</h${level}>`
    }
    case 'image':
      return renderImage(attrs)
    case 'orderedList':
    case 'ordered_list': {
      const start =
        Number.isInteger(attrs.start) && attrs.start !== 1 ? attr('start', String(attrs.start)) : ''
      return `<ol${start}>${inner()}</ol>`
    }
    case 'codeBlock':
    case 'code_block':
      return `<pre><code>${inner()}</code></pre>`
  }
  const tag = BLOCKS[node.type]
  if (!tag) return ''
  if (VOID.has(tag)) return `<${tag}>`
  if (tag === 'td' || tag === 'th') return `<${tag}${spanAttrs(attrs)}>${inner()}</${tag}>`
  return `<${tag}>${inner()}</${tag}>`
}

function spanAttrs(attrs: Attrs): string {
  let html = ''
  for (const name of ['colspan', 'rowspan'] as const) {
    const v = attrs[name]
    if (Number.isInteger(v) && (v as number) > 1 && (v as number) <= 100) html += attr(name, String(v))
  }
  return html
}

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'ul',
    'ol',
    'li',
    'blockquote',
    'pre',
    'code',
    'hr',
    'br',
    'strong',
    'em',
    'u',
    's',
    'a',
    'img',
    'table',
    'tbody',
    'tr',
    'td',
    'th',
  ],
  allowedAttributes: {
    a: ['href', 'rel'],
    img: ['src', 'alt', 'title'],
    ol: ['start'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: true,
  disallowedTagsMode: 'discard',
}

/** Sanitised HTML for a rich-text document (empty for null or anything that is not a document). */
export function renderRichText(doc: unknown): string {
  if (doc === null || doc === undefined) return ''
  return sanitizeHtml(renderNode(doc, 0), SANITIZE)
}

/** The text of a document, blocks separated by new lines (for diffs and excerpts). */
export function plainTextOf(doc: unknown): string {
  const parts: string[] = []
  const walk = (node: unknown, depth: number): void => {
    if (!isRecord(node) || depth > MAX_DEPTH) return
    if (node.type === 'text' && typeof node.text === 'string') parts.push(node.text)
    if (node.type === 'hardBreak' || node.type === 'hard_break') parts.push('\n')
    if (Array.isArray(node.content)) {
      for (const child of node.content) walk(child, depth + 1)
      if (node.type !== 'doc' && node.type !== 'text' && isBlock(node.type)) parts.push('\n')
    }
  }
  walk(doc, 0)
  return parts
    .join('')
    .replace(/\n{2,}/g, '\n')
    .trim()
}

function isBlock(type: unknown): boolean {
  return (
    typeof type === 'string' &&
    type !== 'text' &&
    ![
      'listItem',
      'list_item',
      'bulletList',
      'bullet_list',
      'orderedList',
      'ordered_list',
      'table',
      'tableRow',
      'table_row',
    ].includes(type)
  )
}

/** A problem found in a document, as listed in `details.fields.body`. */
export interface RichTextProblem {
  code: string
  message: string
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function problemAt(path: string, code: string, message: string): RichTextProblem {
  return { code, message: path ? `${message} (at ${path})` : message }
}

function nodeProblem(
  node: unknown,
  path: string,
  depth: number,
  budget: { nodes: number },
): RichTextProblem | undefined {
  if (!isRecord(node) || typeof node.type !== 'string')
    return problemAt(path, 'rich_text', 'Expected a node with a type.')
  if (depth > MAX_DEPTH)
    return problemAt(path, 'too_deep', `The document nests deeper than ${MAX_DEPTH} levels.`)
  if (--budget.nodes < 0)
    return problemAt(path, 'too_large', `The document has more than ${MAX_NODES} nodes.`)
  if (!(node.type in BLOCKS))
    return problemAt(path, 'unknown_node', `Unknown node type "${node.type.slice(0, 50)}".`)
  if (node.type === 'text') return textProblem(node, path)
  if (node.type === 'image' && !classifyUrl(isRecord(node.attrs) ? node.attrs.src : undefined, 'image'))
    return problemAt(path, 'unsafe_url', 'Images need an http(s) or site-relative source.')
  if (node.type === 'image' && isRecord(node.attrs) && node.attrs.mediaId !== undefined) {
    const { mediaId } = node.attrs
    if (typeof mediaId !== 'string' || !UUID.test(mediaId))
      return problemAt(path, 'rich_text', 'An image’s mediaId must be the id of a media item.')
  }
  if (node.content === undefined) return undefined
  if (!Array.isArray(node.content)) return problemAt(path, 'rich_text', "A node's content must be a list.")
  for (const [i, child] of node.content.entries()) {
    const found = nodeProblem(child, `${path}.content[${i}]`, depth + 1, budget)
    if (found) return found
  }
  return undefined
}

function textProblem(node: Attrs, path: string): RichTextProblem | undefined {
  if (typeof node.text !== 'string') return problemAt(path, 'rich_text', 'A text node needs its text.')
  if (node.marks === undefined) return undefined
  if (!Array.isArray(node.marks)) return problemAt(path, 'rich_text', 'Marks must be a list.')
  for (const mark of node.marks) {
    if (!isRecord(mark) || typeof mark.type !== 'string' || !(mark.type in MARKS))
      return problemAt(path, 'unknown_mark', 'Unknown mark type.')
    if (mark.type === 'link' && !classifyUrl(isRecord(mark.attrs) ? mark.attrs.href : undefined, 'link'))
      return problemAt(path, 'unsafe_url', 'Links must be http(s), mailto or relative.')
  }
  return undefined
}

/** The first problem of a body document, or undefined when it may be saved (null is an empty body). */
export function richTextProblem(doc: unknown): RichTextProblem | undefined {
  if (doc === null) return undefined
  if (!isRecord(doc) || doc.type !== 'doc')
    return problemAt('', 'rich_text', 'Expected a rich-text document: { "type": "doc", "content": [...] }.')
  // The walk first: it stops at MAX_DEPTH, while JSON.stringify recurses without limit and overflows the
  // stack on a document nested thousands of levels deep (a RangeError, which would be a 500).
  const structural = nodeProblem(doc, 'body', 0, { nodes: MAX_NODES })
  if (structural) return structural
  if (JSON.stringify(doc).length > BODY_MAX_BYTES)
    return problemAt('', 'too_large', `The document is larger than ${BODY_MAX_BYTES} bytes.`)
  return undefined
}

/** An image of a document that names a media item, with the alternative text the node itself gives. */
export interface RichTextImage {
  mediaId: string
  alt?: string
}

/**
 * The images of a document that name media items (`attrs.mediaId`, lowercased), in document order, each
 * item once (with the first non-empty `alt` its nodes give). Call it on a document that passed
 * `richTextProblem`: the walk trusts its shape and depth.
 */
export function imagesInRichText(doc: unknown): RichTextImage[] {
  const found = new Map<string, RichTextImage>()
  const walk = (node: unknown): void => {
    if (!isRecord(node)) return
    if (node.type === 'image' && isRecord(node.attrs) && typeof node.attrs.mediaId === 'string') {
      const mediaId = node.attrs.mediaId.toLowerCase()
      const alt =
        typeof node.attrs.alt === 'string' && node.attrs.alt.trim() !== '' ? node.attrs.alt : undefined
      const seen = found.get(mediaId)
      if (!seen) found.set(mediaId, { mediaId, ...(alt !== undefined && { alt }) })
      else if (seen.alt === undefined && alt !== undefined) seen.alt = alt
    }
    if (Array.isArray(node.content)) for (const child of node.content) walk(child)
  }
  walk(doc)
  return [...found.values()]
}

/** The document without the images that name `mediaId` (a copy; the input is left alone). */
export function withoutMediaImages(doc: unknown, mediaId: string): unknown {
  const target = mediaId.toLowerCase()
  const shows = (node: unknown): boolean =>
    isRecord(node) &&
    node.type === 'image' &&
    isRecord(node.attrs) &&
    typeof node.attrs.mediaId === 'string' &&
    node.attrs.mediaId.toLowerCase() === target
  const copy = (node: unknown): unknown => {
    if (!isRecord(node) || !Array.isArray(node.content)) return node
    return { ...node, content: node.content.filter((child) => !shows(child)).map(copy) }
  }
  return copy(doc)
}

/** The media items a document's images name, each once. */
export function mediaIdsInRichText(doc: unknown): string[] {
  return imagesInRichText(doc).map((image) => image.mediaId)
}

/** Throws COLOPHON_CONTENT_FIELDS_INVALID with `details.fields.body` when the document may not be saved. */
export function assertRichText(doc: unknown): void {
  const problem = richTextProblem(doc)
  if (problem) throw ContentErrors.fieldsInvalid({ details: { fields: { body: problem } } })
}
