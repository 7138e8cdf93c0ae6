/**
 * The pure decisions behind `sanitizeSvg`: which links, style text and attributes an SVG may keep, and
 * what DOMPurify may drop without changing the drawing. Strings in, verdicts out; the DOM work lives in
 * svg.ts.
 */

/** Why an SVG was refused (`details.reason` of `COLOPHON_MEDIA_SVG_UNSAFE`). */
export type SvgRefusalReason =
  | 'too_large'
  | 'too_many_elements'
  | 'too_deep'
  | 'malformed'
  | 'doctype'
  | 'processing_instruction'
  | 'script'
  | 'event_handler'
  | 'script_url'
  | 'data_url'
  | 'foreign_object'
  | 'external_reference'
  | 'unsupported_content'

export const SVG_NS = 'http://www.w3.org/2000/svg'
export const XLINK_NS = 'http://www.w3.org/1999/xlink'
export const XML_NS = 'http://www.w3.org/XML/1998/namespace'
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/'
const XHTML_NS = 'http://www.w3.org/1999/xhtml'
const MATHML_NS = 'http://www.w3.org/1998/Math/MathML'

// Raster pictures embedded in an <image>: they cannot carry script. Base64 only, so no parameter or
// second media type can hide in the value.
const RASTER_DATA_URL = /^data:image\/(?:png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i

/**
 * The verdict on an `href` (in any namespace) of element `element` (its local name): a same-document
 * `#fragment` passes, and so does a raster `data:` picture on `<image>`; anything else reaches outside.
 */
export function hrefProblem(value: string, element: string): SvgRefusalReason | undefined {
  const trimmed = value.trim()
  if (trimmed.startsWith('#')) return undefined
  if (element === 'image' && RASTER_DATA_URL.test(trimmed)) return undefined
  // Browsers drop white space and control characters inside a scheme ("java\tscript:").
  const compact = Array.from(trimmed)
    .filter((char) => char.charCodeAt(0) > 0x20)
    .join('')
    .toLowerCase()
  if (compact.startsWith('javascript:') || compact.startsWith('vbscript:')) return 'script_url'
  if (compact.startsWith('data:')) return 'data_url'
  return 'external_reference'
}

/**
 * CSS text with its escapes resolved (`\75 rl(` is `url(`), as a CSS tokenizer reads it. Comments are
 * left in: stripping them first would let an escaped `\/*` hide what follows, so a `url(` written inside
 * a comment is judged like any other.
 */
export function unescapeCss(css: string): string {
  return css.replace(
    /\\(?:([0-9a-f]{1,6})[ \t\n\r\f]?|([\s\S]))/gi,
    (_match, hex?: string, char?: string) => {
      if (hex === undefined) return char ?? ''
      const code = Number.parseInt(hex, 16)
      return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)
        ? '\ufffd'
        : String.fromCodePoint(code)
    },
  )
}

// A CSS function that loads a resource, with what follows its parenthesis (quotes and spaces skipped).
const RESOURCE_FUNCTION = /(?:^|[^a-z0-9_-])(?:url|src)\s*\(\s*['"]?\s*(.?)/g

/**
 * The verdict on CSS text: a `<style>` element's, a `style` attribute's, or any attribute value (SVG
 * presentation attributes such as `fill` are CSS too). Only `url(#id)` references may appear; `@import`,
 * `image-set()` and any other `url()` or `src()` reach outside.
 */
export function cssProblem(css: string): SvgRefusalReason | undefined {
  const text = unescapeCss(css).toLowerCase()
  if (text.includes('@import') || text.includes('image-set(')) return 'external_reference'
  for (const match of text.matchAll(RESOURCE_FUNCTION)) {
    if (match[1] !== '#') return 'external_reference'
  }
  return undefined
}

/** The verdict on an element by its local name (any namespace: a `<script>` anywhere is refused). */
export function elementProblem(localName: string): SvgRefusalReason | undefined {
  const name = localName.toLowerCase()
  if (name === 'script') return 'script'
  if (name === 'foreignobject') return 'foreign_object'
  return undefined
}

/** The verdict on one attribute of element `element`, `href` and CSS checks included. */
export function attributeProblem(
  attribute: { localName: string; namespaceURI: string | null; value: string },
  element: string,
): SvgRefusalReason | undefined {
  const name = attribute.localName.toLowerCase()
  if (name.startsWith('on')) return 'event_handler'
  // xml:base would make every "#id" below it resolve against another document.
  if (name === 'base' && attribute.namespaceURI === XML_NS) return 'external_reference'
  if (name === 'href') return hrefProblem(attribute.value, element)
  return cssProblem(attribute.value)
}

/**
 * Attributes DOMPurify's SVG profile does not know but that are harmless: roles and focus for
 * accessibility, language, blending, legacy no-op attributes drawing programs write, and the from/to of
 * the animations the profile keeps (those that can target `href` are removed and so refused). Kept, so
 * an ordinary drawing is not refused for them.
 */
export const EXTRA_SVG_ATTRIBUTES: readonly string[] = [
  'role',
  'focusable',
  'xml:lang',
  'baseProfile',
  'enable-background',
  'mix-blend-mode',
  'isolation',
  'cursor',
  'requiredFeatures',
  'from',
  'to',
]

// XLink attributes that only describe a link; none of them loads or runs anything.
const DESCRIPTIVE_XLINK = new Set(['type', 'actuate', 'show', 'role', 'arcrole'])

/** A node DOMPurify removed, as the facts needed to judge it. */
export type SvgRemoval =
  | { kind: 'element'; nodeName: string; namespaceURI: string | null }
  | { kind: 'attribute'; localName: string; namespaceURI: string | null }

/**
 * True when DOMPurify's removal of this node leaves the drawing as a browser shows it: comments,
 * elements and attributes of other vocabularies (an editor's own metadata, which renderers skip with all
 * it holds), namespace declarations, descriptive XLink attributes. Any other removal would change the
 * drawing, and the file is refused instead.
 */
export function isHarmlessRemoval(removal: SvgRemoval): boolean {
  if (removal.kind === 'element') {
    if (removal.nodeName === '#comment') return true
    const ns = removal.namespaceURI
    return ns !== null && ns !== SVG_NS && ns !== XHTML_NS && ns !== MATHML_NS
  }
  const ns = removal.namespaceURI
  if (ns === XMLNS_NS) return true
  if (ns === XLINK_NS) return DESCRIPTIVE_XLINK.has(removal.localName)
  return ns !== null && ns !== XML_NS && ns !== SVG_NS && ns !== XHTML_NS
}

const LENGTH = /^\s*(\d+(?:\.\d+)?|\.\d+)(?:px)?\s*$/
const NUMBER_LIST = /[\s,]+/

const lengthOf = (value: string | null): number | undefined => {
  const match = value === null ? null : LENGTH.exec(value)
  const n = match ? Number(match[1]) : Number.NaN
  return Number.isFinite(n) && n > 0 ? n : undefined
}

/**
 * The drawing's size from the root's `width`, `height` and `viewBox`: plain numbers (or px) win; a
 * missing one follows the viewBox's proportions; with neither, the viewBox's own size. Undefined when
 * none of these gives a positive size (percentages, other units).
 */
export function drawingSize(root: {
  width: string | null
  height: string | null
  viewBox: string | null
}): { width: number; height: number } | undefined {
  const width = lengthOf(root.width)
  const height = lengthOf(root.height)
  if (width !== undefined && height !== undefined) return { width, height }
  const box = (root.viewBox ?? '').trim().split(NUMBER_LIST).map(Number)
  const [boxWidth, boxHeight] = [box[2], box[3]]
  if (box.length !== 4 || box.some((n) => !Number.isFinite(n))) return undefined
  if (boxWidth === undefined || boxHeight === undefined || boxWidth <= 0 || boxHeight <= 0) return undefined
  if (width !== undefined) return { width, height: (width * boxHeight) / boxWidth }
  if (height !== undefined) return { width: (height * boxWidth) / boxHeight, height }
  return { width: boxWidth, height: boxHeight }
}
