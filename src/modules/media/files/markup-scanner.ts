/**
 * Finds markup hidden inside a binary file. A file that is a valid image and also holds `<script` (a
 * polyglot) turns into a page the moment some browser, proxy or misconfigured server treats it as HTML,
 * so such a file is refused even though it decodes.
 *
 * The scan is byte-wise and case-insensitive (ASCII letters only, as HTML parsers fold them). Tag markers
 * count only when a delimiter follows (white space, `>` or `/`; for `<?php`, white space): a working
 * payload needs one, and it keeps chance matches in compressed data rare: the shortest marker with its
 * delimiter (`<html ` and the like, six bytes) turns up by chance about once in a few terabytes of random
 * bytes. `<svg` is left out for that reason (five bytes: about once in twenty gigabytes, one ten-megabyte
 * photo in a few thousand); an SVG document inside an image served with its own type and `nosniff` does
 * not run, and images are re-encoded before readers see them.
 */

interface Marker {
  /** The marker as reported, lower case. */
  readonly name: string
  readonly bytes: Uint8Array
  /** Bytes that may follow the marker for it to count; undefined when anything may. */
  readonly followedBy: ReadonlySet<number> | undefined
}

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)
const WHITE_SPACE = [0x09, 0x0a, 0x0c, 0x0d, 0x20]
const TAG_END = new Set([...WHITE_SPACE, 0x2f /* / */, 0x3e /* > */])

const marker = (name: string, followedBy: ReadonlySet<number> | undefined): Marker => ({
  name,
  bytes: ascii(name),
  followedBy,
})

const MARKERS: readonly Marker[] = [
  marker('<script', TAG_END),
  marker('<html', TAG_END),
  marker('<!doctype html', TAG_END),
  marker('<iframe', TAG_END),
  marker('<?php', new Set(WHITE_SPACE)),
  marker('javascript:', undefined),
]

/** The longest stretch a match can span: the longest marker plus the byte after it. */
const SPAN = Math.max(...MARKERS.map((m) => m.bytes.length + (m.followedBy ? 1 : 0)))

const lower = (byte: number): number => (byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte)

function markerAt(bytes: Uint8Array, at: number): Marker | undefined {
  const first = lower(bytes[at] as number)
  if (first !== 0x3c /* < */ && first !== 0x6a /* j */) return undefined
  for (const m of MARKERS) {
    const end = at + m.bytes.length
    if (m.bytes[0] !== first || end + (m.followedBy ? 1 : 0) > bytes.length) continue
    let i = 1
    while (i < m.bytes.length && lower(bytes[at + i] as number) === m.bytes[i]) i++
    if (i < m.bytes.length) continue
    if (!m.followedBy || m.followedBy.has(bytes[end] as number)) return m
  }
  return undefined
}

/**
 * A streaming scan: `push` each chunk of a file in order, then read `found`. A marker split across two
 * chunks is found, since the last few bytes of each chunk are kept and scanned again with the next.
 */
export class MarkupScanner {
  #found: string | undefined
  #carry: Uint8Array = new Uint8Array(0)

  /** The first marker seen so far (e.g. `<script`), or undefined. */
  get found(): string | undefined {
    return this.#found
  }

  push(chunk: Uint8Array): void {
    if (this.#found !== undefined || chunk.length === 0) return
    const bytes = new Uint8Array(this.#carry.length + chunk.length)
    bytes.set(this.#carry)
    bytes.set(chunk, this.#carry.length)
    for (let at = 0; at < bytes.length; at++) {
      const m = markerAt(bytes, at)
      if (m) {
        this.#found = m.name
        return
      }
    }
    // A match may start in the last SPAN - 1 bytes and end in the next chunk.
    this.#carry = bytes.slice(Math.max(0, bytes.length - (SPAN - 1)))
  }
}

/** The first dangerous marker in `bytes`, or undefined. For a whole file in memory; stream with `MarkupScanner`. */
export function findMarkup(bytes: Uint8Array): string | undefined {
  const scanner = new MarkupScanner()
  scanner.push(bytes)
  return scanner.found
}
