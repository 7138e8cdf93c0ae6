/**
 * The part of the DOM that the SVG checks use, typed here rather than through the browser's DOM typings:
 * those would apply to the whole server's type check, where no DOM exists. jsdom provides the objects.
 */

export interface DomNode {
  readonly nodeType: number
  readonly nodeName: string
}

export interface DomAttr {
  readonly name: string
  readonly localName: string
  readonly namespaceURI: string | null
  readonly value: string
}

export interface DomElement extends DomNode {
  readonly localName: string
  readonly namespaceURI: string | null
  readonly textContent: string | null
  readonly attributes: ArrayLike<DomAttr>
  getAttribute(name: string): string | null
}

export interface DomProcessingInstruction extends DomNode {
  readonly target: string
}

export interface DomCharacterData extends DomNode {
  readonly data: string
  replaceWith(node: DomNode): void
}

export interface DomTreeWalker {
  readonly currentNode: DomNode
  nextNode(): DomNode | null
}

export interface DomDocument extends DomNode {
  readonly documentElement: DomElement
  createTreeWalker(root: DomNode, whatToShow: number): DomTreeWalker
  createTextNode(data: string): DomNode
}

/** A jsdom window, as far as parsing, walking and serialising XML goes. */
export interface DomWindow {
  readonly DOMParser: new () => { parseFromString(text: string, type: 'image/svg+xml'): DomDocument }
  readonly XMLSerializer: new () => { serializeToString(node: DomNode): string }
  readonly NodeFilter: { readonly SHOW_ALL: number }
}

/** DOMPurify, as far as sanitising a node in place and reading what it removed goes. */
export interface DomPurifier {
  sanitize(node: DomElement, config: Record<string, unknown>): unknown
  readonly removed: ReadonlyArray<{ element: DomNode } | { attribute: DomAttr | null; from: DomNode }>
}
