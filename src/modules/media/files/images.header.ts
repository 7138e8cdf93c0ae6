/**
 * Image dimensions read straight from the first bytes of a file, before any decoder sees it. This is what
 * refuses a file whose header claims an absurd size (a PNG of 60,000 × 60,000 pixels is a few dozen
 * bytes) without handing it to libvips at all. Formats not read here (AVIF) are still held to the same
 * limits by sharp's header read.
 */

export interface ClaimedSize {
  width: number
  height: number
}

const view = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength)
const hasAscii = (b: Uint8Array, at: number, text: string): boolean =>
  at + text.length <= b.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0))

function pngSize(b: Uint8Array): ClaimedSize | undefined {
  if (b.length < 24 || b[0] !== 0x89 || !hasAscii(b, 1, 'PNG') || !hasAscii(b, 12, 'IHDR')) return undefined
  return { width: view(b).getUint32(16), height: view(b).getUint32(20) }
}

function gifSize(b: Uint8Array): ClaimedSize | undefined {
  if (b.length < 10 || !hasAscii(b, 0, 'GIF8')) return undefined
  return { width: view(b).getUint16(6, true), height: view(b).getUint16(8, true) }
}

function webpSize(b: Uint8Array): ClaimedSize | undefined {
  if (b.length < 30 || !hasAscii(b, 0, 'RIFF') || !hasAscii(b, 8, 'WEBP')) return undefined
  const v = view(b)
  const u24 = (at: number): number => v.getUint16(at, true) | ((b[at + 2] as number) << 16)
  if (hasAscii(b, 12, 'VP8X')) return { width: u24(24) + 1, height: u24(27) + 1 }
  if (hasAscii(b, 12, 'VP8L')) {
    const bits = v.getUint32(21, true)
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  if (hasAscii(b, 12, 'VP8 ')) {
    return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff }
  }
  return undefined
}

// Start-of-frame markers: C0–CF except DHT (C4), JPG (C8) and DAC (CC).
const isStartOfFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

function jpegSize(b: Uint8Array): ClaimedSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined
  const v = view(b)
  let at = 2
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) return undefined
    const marker = b[at + 1] as number
    if (marker === 0xff) {
      at++ // fill byte
      continue
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2 // markers without a length
      continue
    }
    if (marker === 0xda || marker === 0xd9) return undefined // scan data or the end, and no frame yet
    if (isStartOfFrame(marker)) {
      if (at + 9 > b.length) return undefined
      return { width: v.getUint16(at + 7), height: v.getUint16(at + 5) }
    }
    at += 2 + v.getUint16(at + 2)
  }
  return undefined
}

/** The size an image's header claims, for PNG, GIF, WebP and JPEG; undefined when it is not in `head`. */
export function claimedSize(head: Uint8Array): ClaimedSize | undefined {
  return pngSize(head) ?? gifSize(head) ?? webpSize(head) ?? jpegSize(head)
}
