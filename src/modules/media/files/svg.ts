/**
 * SVG sanitising: an uploaded drawing is kept only when nothing in it runs or reaches outside the file,
 * and what is stored is DOMPurify's re-serialisation, not the upload. Anything a browser would act on
 * (script, event handlers, links out, embedded pages, entity tricks) refuses the file rather than being
 * cut out of it: an editor should not find a silently changed drawing in the library.
 *
 * Three passes: saxes reads the text once for well-formedness, the DOCTYPE and the size limits, before
 * any tree is built; the parsed tree is checked element by element (svg.rules.ts); DOMPurify's SVG
 * profile then sanitises the tree in place, and any removal that would change the drawing refuses it.
 */
import type { SaxesParser } from 'saxes'
import { isAppError } from '../../../platform/errors/index.ts'
import { MediaFileErrors } from './files.errors.ts'
import type {
  DomCharacterData,
  DomDocument,
  DomElement,
  DomNode,
  DomProcessingInstruction,
  DomPurifier,
  DomWindow,
} from './svg.dom.ts'
import {
  EXTRA_SVG_ATTRIBUTES,
  SVG_NS,
  attributeProblem,
  cssProblem,
  drawingSize,
  elementProblem,
  isHarmlessRemoval,
  type SvgRefusalReason,
  type SvgRemoval,
} from './svg.rules.ts'

export type { SvgRefusalReason } from './svg.rules.ts'

/** The bounds an SVG must stay within; past any of them it is refused. */
export interface SvgLimits {
  /** Bytes of the file. */
  maxBytes: number
  /** Elements in the whole document. */
  maxElements: number
  /** Elements nested inside one another, the root counting as 1. */
  maxDepth: number
}

/** The limits `sanitizeSvg` applies unless told otherwise. */
export const SVG_LIMITS: Readonly<SvgLimits> = Object.freeze({
  maxBytes: 1024 * 1024,
  maxElements: 10_000,
  maxDepth: 256,
})

/** An accepted SVG: the bytes to store instead of the upload, and the drawing's size when it has one. */
export interface SvgResult {
  /** The sanitised document, serialised as UTF-8 XML. */
  svg: Buffer
  /** From the root's width and height (plain numbers or px) or its viewBox; undefined when neither gives one. */
  width: number | undefined
  height: number | undefined
}

interface SvgRuntime {
  window: DomWindow
  purify: DomPurifier
  Parser: typeof SaxesParser
}

// jsdom and DOMPurify cost noticeable start-up time and memory, so they load with the first SVG, and
// one window serves every call after it (sanitising is synchronous, so calls never interleave in it).
let runtime: Promise<SvgRuntime> | undefined

function loadRuntime(): Promise<SvgRuntime> {
  runtime ??= (async () => {
    const [{ JSDOM }, { default: createDOMPurify }, { SaxesParser: Parser }] = await Promise.all([
      import('jsdom'),
      import('dompurify'),
      import('saxes'),
    ])
    // No scripts run and no resources load in this window (jsdom's defaults); it only parses.
    const { window } = new JSDOM('')
    const purify = createDOMPurify(window as Parameters<typeof createDOMPurify>[0])
    return { window: window as DomWindow, purify: purify as unknown as DomPurifier, Parser }
  })().catch((err: unknown) => {
    runtime = undefined
    throw err
  })
  return runtime
}

const PURIFY_CONFIG = {
  USE_PROFILES: { svg: true, svgFilters: true },
  // DOMPurify drops <use> by default; its href is held to same-document fragments by the checks here.
  ADD_TAGS: ['use'],
  ADD_ATTR: [...EXTRA_SVG_ATTRIBUTES],
  // A removed element goes with everything inside it, as a browser skips an unknown element's content;
  // lifting the children out instead would draw what the author's file never showed.
  KEEP_CONTENT: false,
  IN_PLACE: true,
} as const

const NAME_LIMIT = 100
const ELEMENT = 1
const CDATA_SECTION = 4
const PROCESSING_INSTRUCTION = 7

type Facts = Record<string, string | number>

/** Throws `COLOPHON_MEDIA_SVG_UNSAFE` with `reason` and `facts` in its details. */
const refuse = (reason: SvgRefusalReason, facts: Facts = {}): never => {
  throw MediaFileErrors.svgUnsafe({ details: { reason, ...facts } })
}
const clip = (name: string): string => name.slice(0, NAME_LIMIT)

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return refuse('malformed')
  }
}

/**
 * Reads the text with saxes, streaming: well-formed XML whose root is `<svg>` in the SVG namespace,
 * within the element and depth limits, and no DOCTYPE with an internal subset (where entities live:
 * billion laughs, external entities). A plain DOCTYPE naming the SVG DTD is allowed; it is not kept.
 */
function checkStructure(text: string, limits: SvgLimits, Parser: typeof SaxesParser): void {
  const parser = new Parser({ xmlns: true, position: false })
  let elements = 0
  let depth = 0
  parser.on('doctype', (doctype) => {
    if (doctype.includes('[')) refuse('doctype')
  })
  parser.on('opentag', (tag) => {
    if (elements === 0 && (tag.local !== 'svg' || tag.uri !== SVG_NS)) refuse('malformed')
    elements += 1
    depth += 1
    if (elements > limits.maxElements) refuse('too_many_elements', { maxElements: limits.maxElements })
    if (depth > limits.maxDepth) refuse('too_deep', { maxDepth: limits.maxDepth })
  })
  parser.on('closetag', () => {
    depth -= 1
  })
  try {
    parser.write(text).close()
  } catch (err) {
    if (isAppError(err)) throw err
    refuse('malformed')
  }
  if (elements === 0) refuse('malformed')
}

/**
 * Checks every node of the parsed document against the rules, and turns CDATA sections into plain text
 * (the same characters; DOMPurify would otherwise drop the section, and a `<style>` written that way
 * with it).
 */
function checkTree(doc: DomDocument, window: DomWindow): void {
  const walker = doc.createTreeWalker(doc, window.NodeFilter.SHOW_ALL)
  const sections: DomCharacterData[] = []
  for (let node: DomNode | null = walker.currentNode; node; node = walker.nextNode()) {
    if (node.nodeType === PROCESSING_INSTRUCTION) {
      refuse('processing_instruction', { target: clip((node as DomProcessingInstruction).target) })
    }
    if (node.nodeType === CDATA_SECTION) sections.push(node as DomCharacterData)
    if (node.nodeType !== ELEMENT) continue
    const element = node as DomElement
    const name = element.localName
    const elementVerdict = elementProblem(name)
    if (elementVerdict) refuse(elementVerdict, { element: clip(name) })
    if (name.toLowerCase() === 'style') {
      const styleVerdict = cssProblem(element.textContent ?? '')
      if (styleVerdict) refuse(styleVerdict, { element: clip(name) })
    }
    for (const attribute of Array.from(element.attributes)) {
      const verdict = attributeProblem(attribute, name)
      if (verdict) refuse(verdict, { element: clip(name), attribute: clip(attribute.name) })
    }
  }
  for (const section of sections) section.replaceWith(doc.createTextNode(section.data))
}

function removalOf(entry: DomPurifier['removed'][number]): SvgRemoval | undefined {
  if ('element' in entry) {
    const node = entry.element as DomNode & { namespaceURI?: string | null }
    return { kind: 'element', nodeName: node.nodeName, namespaceURI: node.namespaceURI ?? null }
  }
  const attr = entry.attribute
  return attr ? { kind: 'attribute', localName: attr.localName, namespaceURI: attr.namespaceURI } : undefined
}

/** Sanitises the root in place and refuses when DOMPurify removed anything the drawing shows. */
function purifyTree(root: DomElement, purify: DomPurifier): void {
  purify.sanitize(root, PURIFY_CONFIG)
  for (const entry of purify.removed) {
    const removal = removalOf(entry)
    if (removal === undefined || isHarmlessRemoval(removal)) continue
    refuse(
      'unsupported_content',
      removal.kind === 'element'
        ? { element: clip(removal.nodeName) }
        : { attribute: clip(removal.localName) },
    )
  }
}

function sanitizeText(text: string, limits: SvgLimits, rt: SvgRuntime): SvgResult {
  checkStructure(text, limits, rt.Parser)
  const doc = new rt.window.DOMParser().parseFromString(text, 'image/svg+xml')
  const root = doc.documentElement
  if (root.localName !== 'svg' || root.namespaceURI !== SVG_NS) refuse('malformed')
  checkTree(doc, rt.window)
  purifyTree(root, rt.purify)
  const size = drawingSize({
    width: root.getAttribute('width'),
    height: root.getAttribute('height'),
    viewBox: root.getAttribute('viewBox'),
  })
  return {
    svg: Buffer.from(new rt.window.XMLSerializer().serializeToString(root), 'utf8'),
    width: size?.width,
    height: size?.height,
  }
}

/**
 * Sanitises an uploaded SVG, or refuses it with `COLOPHON_MEDIA_SVG_UNSAFE` (422, `details.reason`, one
 * of `SvgRefusalReason`). Refused: script elements, event-handler attributes, `javascript:` and `data:`
 * links (a PNG, JPEG, GIF or WebP picture inside `<image>` excepted), `<foreignObject>`, any reference
 * outside the file (`href` other than `#id`, CSS `url()` other than `url(#id)`, `@import`), a DOCTYPE
 * with an internal subset, processing instructions, malformed XML or a root other than `<svg>`, content
 * DOMPurify's SVG profile removes, and files past `limits` (defaults in `SVG_LIMITS`).
 *
 * jsdom and DOMPurify load on the first call.
 */
export async function sanitizeSvg(input: Buffer | string, limits?: Partial<SvgLimits>): Promise<SvgResult> {
  const bounds: SvgLimits = { ...SVG_LIMITS, ...limits }
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input
  if (bytes.length > bounds.maxBytes) refuse('too_large', { maxBytes: bounds.maxBytes })
  const text = decodeUtf8(bytes)
  return sanitizeText(text, bounds, await loadRuntime())
}
