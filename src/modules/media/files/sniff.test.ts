import { beforeAll, describe, expect, it } from 'vitest'
import { HEADERS, ascii, imageOf, plainZip } from './files.fixture.ts'
import { DEFAULT_ALLOWED_CATEGORIES, MEDIA_CATEGORY_LIST } from './media-types.ts'
import { detectMediaType, mediaTypeError } from './sniff.ts'

const ALL = MEDIA_CATEGORY_LIST
const images: Record<string, Buffer> = {}

beforeAll(async () => {
  for (const format of ['jpeg', 'png', 'gif', 'webp', 'avif'] as const) images[format] = await imageOf(format)
})

const detect = (bytes: Uint8Array, allowed: readonly string[] = ALL, name?: string) =>
  detectMediaType(bytes, { allowed: allowed as typeof ALL, ...(name === undefined ? {} : { name }) })

describe('detectMediaType: the allow-list', () => {
  it.each([
    ['jpeg', 'image/jpeg', 'jpg'],
    ['png', 'image/png', 'png'],
    ['gif', 'image/gif', 'gif'],
    ['webp', 'image/webp', 'webp'],
    ['avif', 'image/avif', 'avif'],
  ])('knows a %s image from its bytes', async (format, mime, ext) => {
    expect(await detect(images[format] as Buffer)).toEqual({ ok: true, mime, ext, category: 'image' })
  })

  it.each([
    ['pdf', 'application/pdf', 'pdf'],
    ['mp3', 'audio/mpeg', 'audio'],
    ['ogg', 'audio/ogg', 'audio'],
    ['opus', 'audio/ogg', 'audio'],
    ['wav', 'audio/wav', 'audio'],
    ['flac', 'audio/flac', 'audio'],
    ['m4a', 'audio/mp4', 'audio'],
    ['aac', 'audio/aac', 'audio'],
    ['mp4', 'video/mp4', 'video'],
    ['webm', 'video/webm', 'video'],
    ['mov', 'video/quicktime', 'video'],
    ['ogv', 'video/ogg', 'video'],
    ['docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'document'],
    ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'document'],
    ['pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 'document'],
    ['odt', 'application/vnd.oasis.opendocument.text', 'document'],
    ['ods', 'application/vnd.oasis.opendocument.spreadsheet', 'document'],
    ['odp', 'application/vnd.oasis.opendocument.presentation', 'document'],
    ['rtf', 'application/rtf', 'document'],
  ])('knows %s from a minimal header', async (name, mime, category) => {
    const result = await detect(HEADERS[name] as Buffer)
    expect(result).toMatchObject({ ok: true, mime, category })
  })

  it('takes UTF-8 without NUL for plain text, and regular columns for CSV', async () => {
    expect(await detect(ascii('Notes from the meeting.\nNothing else.\n'))).toMatchObject({
      mime: 'text/plain',
      ext: 'txt',
    })
    expect(await detect(Buffer.from('Grüße, 😀 — ça va\n'))).toMatchObject({ mime: 'text/plain' })
    expect(await detect(ascii('name,year\n"Smith, J",1999\nDoe,2001\n'))).toMatchObject({ mime: 'text/csv' })
    expect(await detect(ascii('a;b;c\n1;2;3\n'))).toMatchObject({ mime: 'text/csv' })
  })

  it('accepts a head that cuts a multi-byte character in half', async () => {
    const text = Buffer.from('Ünïcödé text ' + '€')
    expect(await detect(text.subarray(0, text.length - 1))).toMatchObject({ mime: 'text/plain' })
  })

  it('knows SVG from its root element, also after a prolog, and keeps it apart from images', async () => {
    const svg = ascii(
      '<?xml version="1.0"?>\n<!-- drawn by hand -->\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
    )
    expect(await detect(svg)).toEqual({ ok: true, mime: 'image/svg+xml', ext: 'svg', category: 'svg' })
    expect(await detect(ascii('<svg viewBox="0 0 1 1"></svg>'))).toMatchObject({ category: 'svg' })
    expect(await detect(svg, DEFAULT_ALLOWED_CATEGORIES)).toMatchObject({
      ok: false,
      reason: 'not_allowed',
      mime: 'image/svg+xml',
      category: 'svg',
    })
  })
})

describe('detectMediaType: refusals', () => {
  it('refuses a zero-byte file as empty', async () => {
    expect(await detect(new Uint8Array(0))).toEqual({ ok: false, reason: 'empty' })
  })

  it.each([
    ['an HTML page', ascii('<!doctype html><html><body>hi</body></html>'), 'html'],
    ['an HTML fragment', ascii('\n  <script>alert(1)</script>'), 'html'],
    ['HTML behind a comment', ascii('<!-- note --><html><p>x</p></html>'), 'html'],
    [
      'XHTML',
      ascii('<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>'),
      'html',
    ],
    ['a shell script', ascii('#!/bin/sh\necho hi\n'), 'script'],
    ['PHP', ascii('<?php echo 1; ?>'), 'php'],
    [
      'an ELF program',
      Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(56)]),
      'elf',
    ],
    ['a Windows program', Buffer.concat([ascii('MZ'), Buffer.alloc(200)]), 'exe'],
    ['a Mach-O program', Buffer.from([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1, 3, 0, 0, 0]), 'macho'],
    ['a Java class', Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0x34]), 'class'],
    ['WebAssembly', Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]), 'wasm'],
  ])('forbids %s whatever the site allows', async (_label, bytes, detected) => {
    expect(await detect(bytes, ALL, 'innocent.png')).toEqual({ ok: false, reason: 'forbidden', detected })
  })

  it('refuses a known type whose category the site has not allowed', async () => {
    expect(await detect(HEADERS.pdf as Buffer, ['image'])).toEqual({
      ok: false,
      reason: 'not_allowed',
      detected: 'pdf',
      mime: 'application/pdf',
      category: 'pdf',
    })
  })

  it('refuses what is not on the list: random binary, a plain ZIP, XML of another kind', async () => {
    expect(await detect(Buffer.from([0, 1, 2, 3, 250, 251, 0, 9]))).toEqual({
      ok: false,
      reason: 'unknown_type',
    })
    expect(await detect(plainZip())).toEqual({ ok: false, reason: 'unknown_type', detected: 'zip' })
    expect(await detect(ascii('<?xml version="1.0"?><feed><title>x</title></feed>'))).toEqual({
      ok: false,
      reason: 'unknown_type',
      detected: 'xml',
    })
  })
})

describe('detectMediaType: the client name', () => {
  it('detects a PNG named .jpg as PNG, with a warning', async () => {
    expect(await detect(images.png as Buffer, ALL, 'holiday.jpg')).toEqual({
      ok: true,
      mime: 'image/png',
      ext: 'png',
      category: 'image',
      warning: 'extension_mismatch',
    })
  })

  it('warns about nothing when the name fits, has no extension or is missing', async () => {
    for (const name of ['photo.PNG', 'C:\\Users\\me\\photo.png', 'photo', '.png', undefined]) {
      expect(await detect(images.png as Buffer, ALL, name)).not.toHaveProperty('warning')
    }
  })

  it('never lets the name decide: an HTML page named .png stays forbidden', async () => {
    expect(await detect(ascii('<html><body>x</body></html>'), ALL, 'cat.png')).toMatchObject({
      reason: 'forbidden',
    })
  })
})

describe('mediaTypeError', () => {
  it.each([
    [{ ok: false, reason: 'empty' } as const, 'COLOPHON_MEDIA_FILE_EMPTY', 422],
    [{ ok: false, reason: 'unknown_type' } as const, 'COLOPHON_MEDIA_TYPE_UNKNOWN', 415],
    [
      { ok: false, reason: 'not_allowed', mime: 'application/pdf' } as const,
      'COLOPHON_MEDIA_TYPE_NOT_ALLOWED',
      415,
    ],
    [{ ok: false, reason: 'forbidden', detected: 'elf' } as const, 'COLOPHON_MEDIA_TYPE_FORBIDDEN', 415],
  ])('turns %o into its coded error', (refusal, code, status) => {
    const err = mediaTypeError(refusal)
    expect([err.code, err.status]).toEqual([code, status])
    const { ok: _ok, reason: _reason, ...details } = refusal
    expect(err.details).toEqual(Object.keys(details).length === 0 ? undefined : details)
  })
})
