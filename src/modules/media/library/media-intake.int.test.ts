import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mainSiteId, signInAdmin, type Session } from '../../../../test/harness/identity.ts'
import { multipartBody } from '../../../../test/harness/multipart.ts'
import { createTestApp, errorOf, type TestApp } from '../../../../test/harness/test-app.ts'
import { layZip, storedEntry, zeroDeflate } from '../files/zip-container.fixture.ts'

/**
 * What a site accepts, through the API: its allow-list of kinds (SVG off until switched on, then only
 * sanitised), office documents that are zip bombs, and imports from a URL that must never reach the
 * server's own network unless the operator allows it. Every refusal is coded and leaves nothing behind.
 */

let app: TestApp
let site: string
let admin: Session
let allowed: Server
let refused: Server
let png: Buffer

const listen = (server: Server, host: string) =>
  new Promise<number>((resolve) =>
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port)),
  )
let allowedPort = 0
let refusedPort = 0

async function holdings(): Promise<{ rows: number; objects: number; spooled: number }> {
  const [row] = await app.db.engine.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM media WHERE site_id = $1',
    [site],
  )
  const list = async (dir: string) =>
    (await readdir(dir, { recursive: true }).catch(() => [] as string[])).map(String)
  return {
    rows: row?.n ?? -1,
    objects: (await list(path.join(app.dataDir, 'media', site))).filter((f) => f.includes('.')).length,
    spooled: (await list(path.join(app.dataDir, 'tmp', 'uploads'))).length,
  }
}

function upload(body: Buffer | string, filename: string) {
  const form = multipartBody([{ name: 'file', filename, contentType: 'application/octet-stream', body }])
  return admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/media`,
    payload: form.payload,
    headers: form.headers,
  })
}

const importUrl = (url: string) =>
  admin.request({
    method: 'POST',
    url: `/api/v1/sites/${site}/media/import`,
    payload: { url, alt: 'Imported' },
  })

async function refusedLeavingNothing(res: Awaited<ReturnType<typeof upload>>, code: string, status: number) {
  expect(res.statusCode, res.body).toBe(status)
  expect(errorOf(res).code).toBe(code)
  expect(await holdings()).toEqual(before)
}
let before: { rows: number; objects: number; spooled: number }

beforeAll(async () => {
  png = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#118844' } })
    .png()
    .toBuffer()
  // 127.0.0.2 is allowed by the operator; 127.0.0.1 is the server's own loopback, never reached.
  allowed = createServer((req, res) => {
    if (req.url === '/picture.png') {
      res.writeHead(200, {
        'content-type': 'image/png',
        'content-disposition': 'inline; filename="lake.png"',
      })
      res.end(png)
    } else if (req.url === '/to-loopback') {
      res.writeHead(302, { location: `http://127.0.0.1:${refusedPort}/secret.png` })
      res.end()
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  let secretsServed = 0
  refused = createServer((_req, res) => {
    secretsServed++
    res.writeHead(200, { 'content-type': 'image/png', 'x-served': String(secretsServed) })
    res.end(png)
  })
  allowedPort = await listen(allowed, '127.0.0.2')
  refusedPort = await listen(refused, '127.0.0.1')
  app = await createTestApp({ config: { mediaImportAllow: ['127.0.0.2'], mediaImportTimeoutSeconds: 5 } })
  site = await mainSiteId(app)
  admin = await signInAdmin(app)
})
afterAll(async () => {
  await app?.close()
  allowed?.close()
  refused?.close()
})

describe('the site’s allow-list', () => {
  it('refuses SVG until the site takes it, then stores it sanitised and refuses active drawings', async () => {
    const drawing =
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#123456"/></svg>'
    before = await holdings()
    await refusedLeavingNothing(await upload(drawing, 'logo.svg'), 'COLOPHON_MEDIA_TYPE_NOT_ALLOWED', 415)
    const settings = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site}/settings`,
      payload: { settings: { media: { allowedCategories: ['image', 'svg'] } } },
    })
    expect(settings.statusCode, settings.body).toBe(200)
    expect(settings.json().settings.media).toEqual({
      allowedCategories: ['image', 'svg'],
      keepMetadata: false,
    })

    for (const unsafe of [
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
      '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://127.0.0.1/track.png"/></svg>',
      '<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>',
    ]) {
      before = await holdings()
      await refusedLeavingNothing(await upload(unsafe, 'bad.svg'), 'COLOPHON_MEDIA_SVG_UNSAFE', 422)
    }
    const stored = await upload(drawing, 'logo.svg')
    expect(stored.statusCode, stored.body).toBe(201)
    expect(stored.json()).toMatchObject({ category: 'svg', mimeType: 'image/svg+xml', width: 10, height: 10 })
    const file = await admin.request({ method: 'GET', url: stored.json().fileUrl })
    expect(file.body).toContain('<rect')
    expect(file.headers['content-security-policy']).toContain("default-src 'none'")
    // PDFs were switched off by the same setting.
    before = await holdings()
    await refusedLeavingNothing(
      await upload('%PDF-1.4\n%%EOF\n', 'doc.pdf'),
      'COLOPHON_MEDIA_TYPE_NOT_ALLOWED',
      415,
    )
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site}/settings`,
      payload: { settings: { media: { allowedCategories: ['image', 'pdf', 'audio', 'video', 'document'] } } },
    })
  })

  it('refuses an office document that is a zip bomb, leaving nothing', async () => {
    // 20 MiB of zeros in a few kilobytes: a ratio only a bomb has.
    // What a word processor writes: the content types name the main document part.
    const parts = [
      storedEntry(
        '[Content_Types].xml',
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
      ),
      storedEntry('_rels/.rels', '<?xml version="1.0"?><Relationships/>'),
      storedEntry('word/document.xml', '<w:document><w:body><w:p>Hello</w:p></w:body></w:document>'),
    ]
    const bomb = layZip([
      ...parts,
      { name: 'word/media/filler.bin', data: zeroDeflate(20), method: 8, size: 20 * 1024 * 1024, crc: 0 },
    ])
    // The same document without the filler is a document like any other.
    const fine = await upload(layZip(parts), 'fine.docx')
    expect(fine.statusCode, fine.body).toBe(201)
    expect(fine.json()).toMatchObject({ category: 'document', filename: 'fine.docx' })
    before = await holdings()
    await refusedLeavingNothing(await upload(bomb, 'report.docx'), 'COLOPHON_MEDIA_ARCHIVE_UNSAFE', 422)
  })
})

describe('keeping camera details', () => {
  it('is the site’s choice, and the location never stays', async () => {
    const photo = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#445566' } })
      .jpeg()
      .withExif({
        IFD0: { Make: 'Colophon Camera' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' },
      })
      .toBuffer()
    const cleaned = async () => {
      const res = await upload(photo, 'camera.jpg')
      expect(res.statusCode, res.body).toBe(201)
      await app.jobs.drain(['media.process'])
      const clean = await admin.request({ method: 'GET', url: `${res.json().fileUrl}?variant=clean` })
      return (await sharp(clean.rawPayload).metadata()).exif?.toString('latin1') ?? ''
    }
    expect(await cleaned()).not.toContain('Colophon Camera')
    const keep = await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site}/settings`,
      payload: { settings: { media: { keepMetadata: true } } },
    })
    expect(keep.statusCode, keep.body).toBe(200)
    const exif = await cleaned()
    expect(exif).toContain('Colophon Camera')
    expect(exif).not.toContain('GPS')
    await admin.request({
      method: 'PATCH',
      url: `/api/v1/sites/${site}/settings`,
      payload: { settings: { media: { keepMetadata: false } } },
    })
  })
})

describe('importing from a URL', () => {
  it('takes a file from an address the operator allows', async () => {
    const res = await importUrl(`http://127.0.0.2:${allowedPort}/picture.png`)
    expect(res.statusCode, res.body).toBe(201)
    expect(res.json()).toMatchObject({ filename: 'lake.png', category: 'image', alt: 'Imported', width: 20 })
  })

  it('never reaches the server’s own network: loopback, a redirect to it, metadata addresses', async () => {
    for (const [url, code] of [
      [`http://127.0.0.1:${refusedPort}/secret.png`, 'COLOPHON_REMOTE_ADDRESS_REFUSED'],
      [`http://localhost:${refusedPort}/secret.png`, 'COLOPHON_REMOTE_ADDRESS_REFUSED'],
      [`http://[::ffff:127.0.0.1]:${refusedPort}/secret.png`, 'COLOPHON_REMOTE_ADDRESS_REFUSED'],
      ['http://169.254.169.254/latest/meta-data/', 'COLOPHON_REMOTE_ADDRESS_REFUSED'],
      [`http://127.0.0.2:${allowedPort}/to-loopback`, 'COLOPHON_REMOTE_ADDRESS_REFUSED'],
      ['file:///etc/passwd', 'COLOPHON_REMOTE_URL_INVALID'],
      [`http://127.0.0.2:${allowedPort}/missing.png`, 'COLOPHON_REMOTE_UNEXPECTED_STATUS'],
    ] as const) {
      before = await holdings()
      const res = await importUrl(url)
      expect(res.statusCode, `${url}: ${res.body}`).toBeGreaterThanOrEqual(400)
      expect(res.statusCode).toBeLessThan(500)
      expect(errorOf(res).code, url).toBe(code)
      expect(await holdings()).toEqual(before)
    }
  })
})
