import { beforeAll, describe, expect, it } from 'vitest'
import { ascii, imageOf } from './files.fixture.ts'
import { MarkupScanner, findMarkup } from './markup-scanner.ts'

let jpeg: Buffer
let polyglot: Buffer

beforeAll(async () => {
  jpeg = await imageOf('jpeg', { noise: true, width: 200, height: 200 })
  polyglot = Buffer.concat([jpeg, ascii('<script>alert(1)</script>')])
})

const scanInChunks = (bytes: Uint8Array, cuts: readonly number[]): string | undefined => {
  const scanner = new MarkupScanner()
  let from = 0
  for (const cut of [...cuts, bytes.length]) {
    scanner.push(bytes.subarray(from, cut))
    from = cut
  }
  return scanner.found
}

describe('findMarkup', () => {
  it('finds a script after the end of a valid JPEG (a polyglot)', () => {
    expect(findMarkup(polyglot)).toBe('<script')
  })

  it('finds nothing in a plain image', () => {
    expect(findMarkup(jpeg)).toBeUndefined()
  })

  it.each([
    ['<SCRIPT src=x>', '<script'],
    ['<Html>', '<html'],
    ['<!DOCTYPE html>', '<!doctype html'],
    ['<iframe/src=x>', '<iframe'],
    ['<?php\nsystem($x);', '<?php'],
    ['href="JavaScript:alert(1)"', 'javascript:'],
  ])('finds %s, whatever its case', (text, marker) => {
    expect(findMarkup(Buffer.concat([jpeg.subarray(0, 100), ascii(text), jpeg.subarray(100, 200)]))).toBe(
      marker,
    )
  })

  it('ignores a tag name run into other letters, and a marker cut off by the end of the file', () => {
    expect(findMarkup(ascii('<svgfoo <scripts <htmlx'))).toBeUndefined()
    expect(findMarkup(ascii('trailing <html'))).toBeUndefined()
  })

  it('leaves out <svg, too short to tell from chance bytes in compressed data', () => {
    expect(findMarkup(ascii('<svg onload=alert(1)>'))).toBeUndefined()
  })
})

describe('MarkupScanner', () => {
  it('finds a marker split across two chunks, wherever the cut falls', () => {
    const start = polyglot.indexOf('<script')
    for (let cut = start - 1; cut <= start + '<script>'.length; cut++) {
      expect(scanInChunks(polyglot, [cut]), `cut at ${cut - start}`).toBe('<script')
    }
  })

  it('finds a marker spread over many one-byte chunks', () => {
    const bytes = ascii('xx javascript: yy')
    expect(
      scanInChunks(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ),
    ).toBe('javascript:')
  })

  it('finds nothing in a clean image fed in small chunks, and ignores empty chunks', () => {
    const cuts = Array.from({ length: Math.floor(jpeg.length / 7) }, (_, i) => (i + 1) * 7)
    expect(scanInChunks(jpeg, [0, 0, ...cuts])).toBeUndefined()
  })

  it('keeps the first marker it found', () => {
    const scanner = new MarkupScanner()
    scanner.push(ascii('<iframe>'))
    scanner.push(ascii('<script>'))
    expect(scanner.found).toBe('<iframe')
  })
})
