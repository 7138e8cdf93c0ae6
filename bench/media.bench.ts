/**
 * Media benchmark, in one process with the real app on 127.0.0.1:
 *
 * 1. Upload of a ~10 MB JPEG (random pixels, so it does not compress) as a signed-in admin: the peak RSS
 *    above idle, worst of BENCH_UPLOAD_RUNS runs (default 3); target under 100 MB. The client runs in the
 *    same process as the server, so its buffers count too: it streams the file from disk in 64 KB chunks.
 * 2. The `media.process` job (cleaned original, placeholder, every variant) for that photo and for a
 *    typical 2,000 × 1,500 one: variants made per second, from the job's own recorded duration.
 * 3. A cached variant (a WebP of about 20 KB) of an image a published entry shows, served on the main
 *    site's host: requests/s as a ratio to `/health` in the same round, full 200s and 304s to its ETag,
 *    in BENCH_ROUNDS interleaved rounds (default 3) of BENCH_SECONDS each (default 2); medians printed.
 *
 * The photos are made in a child process, so their pixel buffers never count in this process's RSS.
 *
 *   node --expose-gc --max-semi-space-size=16 bench/media.bench.ts        # PGlite in memory
 *   DATABASE_URL=postgres://… node --expose-gc …                          # a fresh database, dropped after
 *   (`npm run bench` runs it after the content benchmark.)
 */
import { execFileSync } from 'node:child_process'
import { createReadStream, mkdtempSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import type autocannon from 'autocannon'
import { MEDIA_PROCESS_QUEUE } from '../src/modules/media/index.ts'
import {
  idleRss,
  load,
  mb,
  measurePeakRss,
  signInBenchAdmin,
  startBenchApp,
  type BenchApp,
  type LoadOptions,
} from './bench-lib.ts'
import type { Photo, Photos } from './media-photos.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2)
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3))
const UPLOAD_RUNS = Math.max(1, Number(process.env.BENCH_UPLOAD_RUNS ?? 3))
const MiB = 1024 * 1024
const UPLOAD_TARGET_BYTES = 100 * MiB
const SERVED_TARGET_BYTES = 20 * 1024
/** The main site answers on the root host (`localhost` by default), as pages do in content.bench.ts. */
const SITE_HOST = 'localhost'
const PHOTO_ALT = 'Coloured shapes made for the benchmark'

const PHOTO_WRITER = fileURLToPath(new URL('./media-photos.ts', import.meta.url))

function makePhotosInChild(dir: string): Photos {
  const out = execFileSync(process.execPath, [PHOTO_WRITER, dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return JSON.parse(out) as Photos
}

interface Session {
  cookie: string
  csrf: string
}

interface MediaItem {
  id: string
  processing: string
  variants: { width: number; format: string; crop: string; sizeBytes: number; url: string }[]
}

async function api(
  bench: BenchApp,
  session: Session,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> | null }> {
  const res = await fetch(`${bench.address}${url}`, {
    method,
    headers: {
      cookie: session.cookie,
      'x-csrf-token': session.csrf,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as Record<string, unknown> | null }
}

function expectStatus(what: string, res: { status: number; json: unknown }, ...ok: number[]): void {
  if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.json)}`)
}

async function deleteItem(bench: BenchApp, session: Session, siteId: string, id: string): Promise<void> {
  expectStatus(
    'deleting an item',
    await api(bench, session, 'DELETE', `/api/v1/sites/${siteId}/media/${id}`),
    204,
  )
}

/**
 * POSTs `photo` as a multipart upload, streamed from disk: the body is never held whole in this process
 * (which is also the server's).
 */
function uploadPhoto(bench: BenchApp, session: Session, siteId: string, photo: Photo): Promise<MediaItem> {
  const boundary = `----colophonbench${Date.now().toString(16)}`
  // Alt text comes with the upload, as an editor's would: publishing refuses images without it.
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="alt"\r\n\r\n${PHOTO_ALT}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(photo.file)}"\r\n` +
      'Content-Type: image/jpeg\r\n\r\n',
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  async function* body() {
    yield head
    yield* createReadStream(photo.file, { highWaterMark: 64 * 1024 })
    yield tail
  }
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${bench.address}/api/v1/sites/${siteId}/media`,
      {
        method: 'POST',
        headers: {
          cookie: session.cookie,
          'x-csrf-token': session.csrf,
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + photo.bytes + tail.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8')
          if (res.statusCode !== 201) reject(new Error(`upload answered ${res.statusCode}: ${text}`))
          else resolve(JSON.parse(text) as MediaItem)
        })
      },
    )
    pipeline(Readable.from(body()), request).catch(reject)
  })
}

interface UploadRun {
  idle: number
  sampledPeak: number
  kernelPeak: number | undefined
  peak: number
  samples: number
  seconds: number
  item: MediaItem
}

async function measureUploads(
  bench: BenchApp,
  session: Session,
  siteId: string,
  photo: Photo,
): Promise<UploadRun[]> {
  const runs: UploadRun[] = []
  for (let run = 0; run < UPLOAD_RUNS; run++) {
    const idle = await idleRss()
    const started = performance.now()
    const measured = await measurePeakRss(() => uploadPhoto(bench, session, siteId, photo))
    runs.push({
      idle,
      sampledPeak: measured.sampledPeak,
      kernelPeak: measured.kernelPeak,
      peak: measured.peakRss,
      samples: measured.samples,
      seconds: (performance.now() - started) / 1000,
      item: measured.result,
    })
  }
  return runs
}

/** The job's own duration for an item (the `job_runs` record of its completed attempt), in seconds. */
async function jobSeconds(bench: BenchApp, mediaId: string): Promise<number> {
  const [row] = await bench.engine.query<{ ms: number }>(
    `SELECT r.duration_ms AS ms FROM job_runs r JOIN jobs j ON j.id = r.job_id
     WHERE j.queue = $1 AND j.data->>'mediaId' = $2 AND r.status = 'completed'
     ORDER BY r.attempt DESC LIMIT 1`,
    [MEDIA_PROCESS_QUEUE, mediaId],
  )
  if (!row) throw new Error(`no completed ${MEDIA_PROCESS_QUEUE} run for ${mediaId}`)
  return Number(row.ms) / 1000
}

interface Processed {
  item: MediaItem
  seconds: number
  drainSeconds: number
  peakAboveIdle: number
}

/** Runs the queued image work in this process and reads back what it made. */
async function processQueued(
  bench: BenchApp,
  session: Session,
  siteId: string,
  mediaId: string,
): Promise<Processed> {
  const idle = await idleRss()
  const started = performance.now()
  const measured = await measurePeakRss(() =>
    bench.app.jobs.drain([MEDIA_PROCESS_QUEUE], { timeoutMs: 120_000 }),
  )
  const drainSeconds = (performance.now() - started) / 1000
  const res = await api(bench, session, 'GET', `/api/v1/sites/${siteId}/media/${mediaId}`)
  expectStatus('reading the item', res, 200)
  const item = res.json as unknown as MediaItem
  if (item.processing !== 'ready') throw new Error(`the item is ${item.processing} after its job`)
  return {
    item,
    seconds: await jobSeconds(bench, mediaId),
    drainSeconds,
    peakAboveIdle: measured.peakRss - idle,
  }
}

/** A published post whose featured image is `mediaId`: what makes the item's files public. */
async function publishWithImage(bench: BenchApp, session: Session, siteId: string, mediaId: string) {
  const entries = `/api/v1/sites/${siteId}/entries`
  const created = await api(bench, session, 'POST', entries, {
    type: 'post',
    title: 'A post with a photo',
    featuredMediaId: mediaId,
  })
  expectStatus('creating the entry', created, 201)
  const published = await api(bench, session, 'POST', `${entries}/${String(created.json?.id)}/status`, {
    status: 'published',
  })
  expectStatus('publishing the entry', published, 200)
}

interface Case {
  name: string
  options: LoadOptions
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** Every case once per round, `/health` (the first) first in each, so each ratio has its round's baseline. */
async function measureRounds(bench: BenchApp, cases: readonly Case[]): Promise<autocannon.Result[][]> {
  const results: autocannon.Result[][] = cases.map(() => [])
  for (let round = 0; round < ROUNDS; round++)
    for (const [index, c] of cases.entries())
      results[index]?.push(await load(bench.address, SECONDS, c.options))
  return results
}

function reportUploads(photo: Photo, runs: readonly UploadRun[]): boolean {
  console.log(
    `upload of a ${(photo.bytes / MiB).toFixed(1)} MB JPEG (${photo.width} × ${photo.height}, random pixels, ` +
      `quality 95), ${runs.length} runs; the client is this process too (streams the file from disk, 64 KB chunks)`,
  )
  for (const [i, r] of runs.entries())
    console.log(
      `  run ${i + 1}: idle ${mb(r.idle)}, peak ${mb(r.peak)} (sampled every 2 ms: ${mb(r.sampledPeak)} in ` +
        `${r.samples} samples; kernel high-water mark: ${r.kernelPeak === undefined ? 'not available' : mb(r.kernelPeak)}), ` +
        `peak − idle ${((r.peak - r.idle) / MiB).toFixed(1)} MB, ${r.seconds.toFixed(2)} s ` +
        `(${(photo.bytes / MiB / r.seconds).toFixed(0)} MB/s)`,
    )
  const worst = Math.max(...runs.map((r) => r.peak - r.idle))
  const met = worst < UPLOAD_TARGET_BYTES
  console.log(`  worst peak − idle: ${(worst / MiB).toFixed(1)} MB`)
  return met
}

function reportProcessing(label: string, photo: Photo, p: Processed): void {
  const made = p.item.variants.length
  console.log(
    `variants of the ${label} (${photo.width} × ${photo.height}, ${(photo.bytes / MiB).toFixed(1)} MB): ` +
      `${made} variants in ${p.seconds.toFixed(2)} s = ${(made / p.seconds).toFixed(2)} variants/s ` +
      `(job's recorded duration, cleaned original and placeholder included; drain ${p.drainSeconds.toFixed(2)} s; ` +
      `peak RSS ${mb(p.peakAboveIdle)} above idle)`,
  )
}

function reportServing(
  names: readonly string[],
  results: readonly autocannon.Result[][],
  queriesPerRequest: number,
): void {
  console.log(
    `cached variant on the site's host, ${ROUNDS} rounds × ${SECONDS}s per case, 10 connections, 127.0.0.1; medians over the rounds`,
  )
  const baseline = results[0] as autocannon.Result[]
  for (const [index, name] of names.entries()) {
    const rounds = results[index] as autocannon.Result[]
    const ratio = median(
      rounds.map((r, i) => r.requests.average / (baseline[i] as autocannon.Result).requests.average),
    )
    const total = rounds.reduce((sum, r) => sum + r.requests.total, 0)
    const bytes = rounds.reduce((sum, r) => sum + r.throughput.total, 0)
    const count = (key: '2xx' | '3xx' | '4xx' | '5xx') => rounds.reduce((sum, r) => sum + r[key], 0)
    console.log(
      `  ${name.padEnd(40)} ${median(rounds.map((r) => r.requests.average))
        .toFixed(0)
        .padStart(6)} req/s  ` +
        `p50 ${String(median(rounds.map((r) => r.latency.p50))).padStart(3)} ms  ` +
        `p99 ${String(median(rounds.map((r) => r.latency.p99))).padStart(3)} ms  ` +
        `${ratio.toFixed(2)}× /health  ${(bytes / Math.max(1, total) / 1024).toFixed(1)} KB/reply  ` +
        `2xx ${count('2xx')}, 3xx ${count('3xx')}, 4xx ${count('4xx')}, 5xx ${count('5xx')}, ` +
        `errors ${rounds.reduce((sum, r) => sum + r.errors, 0)}  ` +
        `(rounds: ${rounds.map((r) => r.requests.average.toFixed(0)).join(' / ')} req/s)`,
    )
  }
  console.log(`  queries per variant request: ${queriesPerRequest.toFixed(2)}`)
}

/** The WebP of the whole picture whose size is closest to 20 KB. */
function servedVariant(item: MediaItem): MediaItem['variants'][number] {
  const webps = item.variants.filter((v) => v.format === 'webp' && v.crop === 'none')
  const [closest] = webps.sort(
    (a, b) => Math.abs(a.sizeBytes - SERVED_TARGET_BYTES) - Math.abs(b.sizeBytes - SERVED_TARGET_BYTES),
  )
  if (!closest) throw new Error('the item has no WebP variant')
  return closest
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'colophon-media-bench-'))
  const photos = makePhotosInChild(dir)
  const bench = await startBenchApp()
  try {
    const session = await signInBenchAdmin(bench.address)
    const [site] = await bench.engine.query<{ id: string }>('SELECT id FROM sites WHERE is_main')
    if (!site) throw new Error('setup created no main site')
    console.log(`engine: ${bench.engine.kind}`)

    // Warm-up: the upload and delete paths once (multipart parser, spool, image check, store), and the
    // HTTP stack. Deleted, the item's queued job finds nothing to do.
    const warmUp = await uploadPhoto(bench, session, site.id, photos.warmUp)
    await deleteItem(bench, session, site.id, warmUp.id)
    await load(bench.address, 1, { path: '/health' })

    const uploads = await measureUploads(bench, session, site.id, photos.big)
    const uploadMet = reportUploads(photos.big, uploads)
    // One of the big items is enough for the job figure; the others' jobs then find nothing to do.
    for (const run of uploads.slice(1)) await deleteItem(bench, session, site.id, run.item.id)
    const big = await processQueued(bench, session, site.id, (uploads[0] as UploadRun).item.id)
    reportProcessing('10 MB photo', photos.big, big)
    const typicalItem = await uploadPhoto(bench, session, site.id, photos.typical)
    const typical = await processQueued(bench, session, site.id, typicalItem.id)
    reportProcessing('typical photo', photos.typical, typical)

    await publishWithImage(bench, session, site.id, typicalItem.id)
    const variant = servedVariant(typical.item)
    const probe = await fetch(`${bench.address}${variant.url}`, { headers: { host: SITE_HOST } })
    await probe.arrayBuffer()
    if (probe.status !== 200) throw new Error(`the variant answered ${probe.status} to a reader`)
    const etag = probe.headers.get('etag') ?? ''
    console.log(
      `served: ${variant.url} (${(variant.sizeBytes / 1024).toFixed(1)} KB, ${variant.width} px wide, ` +
        `Cache-Control: ${probe.headers.get('cache-control')})`,
    )
    const cases: Case[] = [
      { name: 'GET /health (baseline)', options: { path: '/health' } },
      { name: 'GET variant, 200', options: { path: variant.url, headers: { host: SITE_HOST } } },
      {
        name: 'GET variant, 304 (If-None-Match)',
        options: { path: variant.url, headers: { host: SITE_HOST, 'if-none-match': etag } },
      },
    ]
    bench.queriesByRoute.clear()
    const results = await measureRounds(bench, cases)
    const served = [...bench.queriesByRoute].find(([route]) => route.startsWith('GET /media/'))?.[1]
    reportServing(
      cases.map((c) => c.name),
      results,
      served ? served.queries / served.requests : NaN,
    )
    console.log(
      `targets: 10 MB upload peak − idle < 100 MB (worst of ${uploads.length}): ${uploadMet ? 'met' : 'MISSED'}; ` +
        'variants/s and serving ratios: figures, no target',
    )
    // The clock of performance.now() starts with the process: module loading is included.
    console.log(`total ${(performance.now() / 1000).toFixed(0)} s`)
  } finally {
    await bench.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
