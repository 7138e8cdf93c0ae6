import { describe, expect, it } from 'vitest'
import {
  bareHostOf,
  cleanFileName,
  fileNameFromDisposition,
  isRedirectStatus,
  mediaTypeOf,
  remoteFileNameOf,
  remoteUrlOf,
} from './remote-fetch.rules.ts'

function hostOf(text: string): string {
  const url = remoteUrlOf(text)
  if (typeof url === 'string') throw new Error(`${text} was refused: ${url}`)
  return bareHostOf(url)
}

describe('remoteUrlOf', () => {
  it.each([
    ['ftp://example.com/a.jpg', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['data:text/plain,hi', 'scheme'],
    ['javascript:alert(1)', 'scheme'],
    ['http://user:secret@example.com/a.jpg', 'credentials'],
    ['http://user@example.com/a.jpg', 'credentials'],
    ['not a url', 'malformed'],
    ['http://', 'malformed'],
    ['http://[::1/', 'malformed'],
  ])('refuses %s (%s)', (text, problem) => {
    expect(remoteUrlOf(text)).toBe(problem)
  })

  it('accepts http and https on any port and drops the fragment', () => {
    expect(String(remoteUrlOf('https://example.com:8443/a.jpg?x=1#top'))).toBe(
      'https://example.com:8443/a.jpg?x=1',
    )
    expect(String(remoteUrlOf('HTTP://Example.COM/a.jpg'))).toBe('http://example.com/a.jpg')
  })

  it.each([
    ['http://127.1/', '127.0.0.1'],
    ['http://2130706433/', '127.0.0.1'],
    ['http://0x7f.1/', '127.0.0.1'],
    ['http://0177.0.0.1/', '127.0.0.1'],
    ['http://0/', '0.0.0.0'],
    ['http://[::ffff:7f00:1]/', '::ffff:7f00:1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'],
    ['http://[::1]:8080/', '::1'],
  ])('spells the odd literal address %s plainly as %s', (text, host) => {
    expect(hostOf(text)).toBe(host)
  })

  it('resolves a redirect against the current URL and refuses https → http', () => {
    const from = new URL('https://example.com/dir/a')
    expect(String(remoteUrlOf('b.jpg', from))).toBe('https://example.com/dir/b.jpg')
    expect(String(remoteUrlOf('//cdn.example.com/c.jpg', from))).toBe('https://cdn.example.com/c.jpg')
    expect(remoteUrlOf('http://example.com/b.jpg', from)).toBe('downgrade')
    expect(String(remoteUrlOf('https://example.com/b.jpg', new URL('http://example.com/')))).toBe(
      'https://example.com/b.jpg',
    )
  })
})

describe('isRedirectStatus', () => {
  it('follows 301, 302, 303, 307 and 308 only', () => {
    expect([300, 301, 302, 303, 304, 305, 307, 308, 200].filter(isRedirectStatus)).toEqual([
      301, 302, 303, 307, 308,
    ])
  })
})

describe('file names', () => {
  it.each([
    ['attachment; filename="photo.jpg"', 'photo.jpg'],
    ['attachment; filename=photo.jpg', 'photo.jpg'],
    ['inline; FILENAME="a \\"quoted\\" name.png"', 'a "quoted" name.png'],
    ['attachment; filename="fallback.jpg"; filename*=UTF-8\'\'%C3%A9t%C3%A9.jpg', 'été.jpg'],
    ["attachment; filename*=iso-8859-1'en'caf%E9.jpg", 'café.jpg'],
    ['attachment', undefined],
    ["attachment; filename*=UTF-8''%E0%A4%A.jpg", undefined],
  ])('reads %j as %j', (header, name) => {
    expect(fileNameFromDisposition(header)).toBe(name)
  })

  it.each([
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\me\\photo.jpg', 'photo.jpg'],
    ['photo\u0000\u001b[31m.jpg', 'photo[31m.jpg'],
    ['cod\u202egpj.exe', 'codgpj.exe'],
    ['  spaced.jpg  ', 'spaced.jpg'],
    ['..', undefined],
    ['dir/', undefined],
    ['', undefined],
  ])('cleans %j to %j', (name, cleaned) => {
    expect(cleanFileName(name)).toBe(cleaned)
  })

  it('keeps at most 200 characters', () => {
    expect(cleanFileName(`${'é'.repeat(300)}.jpg`)).toHaveLength(200)
  })

  it('falls back to the last path segment, decoded, when the header names nothing usable', () => {
    const url = new URL('https://example.com/media/summer%20photo.jpg?size=large')
    expect(remoteFileNameOf(undefined, url)).toBe('summer photo.jpg')
    expect(remoteFileNameOf('attachment; filename=".."', url)).toBe('summer photo.jpg')
    expect(remoteFileNameOf('attachment; filename="given.jpg"', url)).toBe('given.jpg')
    expect(remoteFileNameOf(undefined, new URL('https://example.com/'))).toBe(undefined)
    expect(remoteFileNameOf(undefined, new URL('https://example.com/a/%2e%2e'))).toBe(undefined)
    expect(remoteFileNameOf(undefined, new URL('https://example.com/a/b%2Fc.jpg'))).toBe('c.jpg')
    expect(remoteFileNameOf(undefined, new URL('https://example.com/a/%E0%A4%A.jpg'))).toBe('%E0%A4%A.jpg')
  })
})

describe('mediaTypeOf', () => {
  it.each([
    ['image/JPEG', 'image/jpeg'],
    ['text/html; charset=utf-8', 'text/html'],
    ['nonsense', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, type) => {
    expect(mediaTypeOf(header)).toBe(type)
  })
})
