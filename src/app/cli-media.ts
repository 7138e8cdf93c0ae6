import { setTimeout as sleep } from 'node:timers/promises'
import type { Config } from '../platform/config/index.ts'
import { commandDeps, type CommandDeps } from './cli-deps.ts'
import {
  DbErrors,
  migrationStatus,
  networkTransaction,
  readMigrationFiles,
  type Engine,
  type Orm,
} from '../platform/db/index.ts'
import {
  StorageMoveErrors,
  copyObjects,
  deleteObjects,
  type CopyProgress,
  type CopyResult,
  type ObjectStore,
  type StoreKind,
} from '../platform/storage/index.ts'
import { readSiteStorageKind, setSiteStorageKind } from '../modules/media/index.ts'
import { SitesErrors, findSiteWithMembership } from '../modules/sites/index.ts'
import { createConfiguredLocalStore, createConfiguredS3Store } from './media-store.ts'

/**
 * `colophon media move`: moves one site's media objects to the other storage provider while the site
 * keeps working. Copy, switch the site's provider, wait for running servers to stop routing it to the old
 * one, copy again what was written there meanwhile, then delete from the old provider. A copy stopped
 * half-way is finished by running the same command again (objects already there are skipped).
 */

/**
 * How long running servers may still route a site to its old provider after the switch: the storage
 * router's default cache (30 s), plus a margin for a lookup that read the old provider just before the
 * switch committed and is remembered from the moment it answered.
 */
export const ROUTING_CACHE_WAIT_MS = 35_000

const PROGRESS_EVERY_OBJECTS = 100
const PROGRESS_EVERY_MS = 2_000
const SITE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Options of `moveSiteMedia`. */
export interface MoveSiteMediaOptions {
  config: Config
  orm: Orm
  /** The site's id or slug. */
  siteRef: string
  to: StoreKind
  /** Leaves the site's objects with the old provider after the switch (they are deleted otherwise). */
  keepSource?: boolean
  /** How long to wait after the switch for running servers to forget the old provider (default 35 s). */
  waitMs?: number
  /** Where each step is reported. */
  out: NodeJS.WritableStream
  /**
   * Stops the first copy: objects in flight finish, nothing is switched, and a run again resumes. After
   * the switch the move runs to its end, since stopping there would leave the site's newest objects behind.
   */
  signal?: AbortSignal
  /** Providers to use instead of those the configuration describes (tests wrap them). Not closed here. */
  stores?: Partial<Record<StoreKind, ObjectStore>>
}

/** What a move did. `moved` is false when the site already used `to` (then nothing else is set). */
export interface MoveSiteMediaResult {
  site: { id: string; slug: string }
  from: StoreKind
  to: StoreKind
  moved: boolean
  /** The copy before the switch. */
  copied?: CopyResult
  /** The copy after the wait: objects written to the old provider meanwhile. */
  recopied?: CopyResult
  /** Objects removed from the old provider; absent with `keepSource`. */
  deleted?: number
}

/** Moves a site's media objects to the provider `to` and records it as the site's provider. */
export async function moveSiteMedia(options: MoveSiteMediaOptions): Promise<MoveSiteMediaResult> {
  const { config, orm, to, out } = options
  const site = await findSite(orm, options.siteRef)
  const from = (await readSiteStorageKind(orm, site.id)) ?? config.mediaStorage
  const name = `"${site.slug}" (${site.id})`
  if (from === to) {
    out.write(`Site ${name} already keeps its media on ${to}: nothing to do.\n`)
    return { site, from, to, moved: false }
  }
  const opened: ObjectStore[] = []
  const storeOf = (kind: StoreKind): ObjectStore => {
    const given = options.stores?.[kind]
    if (given) return given
    const store = kind === 's3' ? createConfiguredS3Store(config) : createConfiguredLocalStore(config)
    if (!store)
      throw StorageMoveErrors.providerNotConfigured({
        message: `The ${kind} storage provider is not configured on this server: set COLOPHON_S3_BUCKET and the other COLOPHON_S3_* settings.`,
        details: { kind, siteId: site.id },
      })
    opened.push(store)
    return store
  }
  try {
    const stores = { target: storeOf(to), source: storeOf(from) }
    out.write(`Site ${name}: moving its media from ${from} to ${to}.\n`)
    const copied = await copyBeforeSwitch({ ...options, ...stores, site, from })
    return {
      site,
      from,
      to,
      moved: true,
      copied,
      ...(await switchAndFinish({ ...options, ...stores, site, from })),
    }
  } finally {
    await Promise.all(opened.map((store) => store.close()))
  }
}

interface MoveStep extends MoveSiteMediaOptions {
  site: { id: string; slug: string }
  from: StoreKind
  source: ObjectStore
  target: ObjectStore
}

/** The first copy, the only step that may stop half-way: nothing has changed for the site yet. */
async function copyBeforeSwitch(step: MoveStep): Promise<CopyResult> {
  const { out, from, to } = step
  out.write(`Copying from ${from} to ${to} (objects already there are skipped)...\n`)
  try {
    return await copySite(step, step.signal)
  } catch (error) {
    out.write(
      `Stopped before the switch: the site still keeps its media on ${from}. Run the same command again to finish the copy.\n`,
    )
    throw error
  }
}

/** Switches the site's provider, waits for running servers to follow, copies the stragglers, deletes. */
async function switchAndFinish(step: MoveStep): Promise<Pick<MoveSiteMediaResult, 'recopied' | 'deleted'>> {
  const { orm, out, site, from, to } = step
  const switched = await networkTransaction(
    orm,
    'colophon media move: record the site’s new provider',
    (tx) => setSiteStorageKind(tx, site.id, to),
  )
  if (!switched) throw SitesErrors.notFound({ details: { site: site.id } })
  out.write(`Switched: the site now keeps its media on ${to}.\n`)
  const onAbort = () =>
    out.write(
      `Not stopping: the site already uses ${to}, and the objects written to ${from} meanwhile must follow.\n`,
    )
  step.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    const waitMs = step.waitMs ?? ROUTING_CACHE_WAIT_MS
    if (waitMs > 0) {
      out.write(
        `Waiting ${Math.ceil(waitMs / 1000)} s for running servers to stop sending the site to ${from}...\n`,
      )
      await sleep(waitMs)
    }
    out.write(`Copying what was written to ${from} meanwhile...\n`)
    const recopied = await copySite(step, undefined)
    if (step.keepSource) {
      out.write(`Kept the site's objects on ${from} (--keep-source).\n`)
      return { recopied }
    }
    const deleted = await deleteObjects(step.source, `${site.id}/`)
    out.write(`Deleted ${deleted} objects from ${from}.\n`)
    return { recopied, deleted }
  } catch (error) {
    // A run again finds the site on `to` and has nothing to do: say how to finish instead.
    out.write(
      `Not finished: the site already uses ${to}, but objects written to ${from} meanwhile may not have been copied, and ${from} still holds the site's objects. To finish, move the site back with --to ${from} --keep-source, then run this move again.\n`,
    )
    throw error
  } finally {
    step.signal?.removeEventListener('abort', onAbort)
  }
}

/** One copy of every object of the site, with a progress line now and then and a summary at the end. */
async function copySite(step: MoveStep, signal: AbortSignal | undefined): Promise<CopyResult> {
  const result = await copyObjects({
    from: step.source,
    to: step.target,
    prefix: `${step.site.id}/`,
    onProgress: progressPrinter(step.out),
    ...(signal && { signal }),
  })
  step.out.write(`  done: ${describeCopy(result)}\n`)
  return result
}

/**
 * A copy's `onProgress` that prints the running totals every 100 objects, or when 2 s have passed since
 * the last line: a site of thousands of objects gets a readable log, not a line per object.
 */
export function progressPrinter(
  out: NodeJS.WritableStream,
  now: () => number = Date.now,
): (progress: CopyProgress) => void {
  let printedAt = now()
  let printedCount = 0
  return (progress) => {
    const count = progress.copied + progress.skipped
    if (count - printedCount < PROGRESS_EVERY_OBJECTS && now() - printedAt < PROGRESS_EVERY_MS) return
    printedAt = now()
    printedCount = count
    out.write(`  ${describeCopy(progress)}\n`)
  }
}

function describeCopy({ copied, skipped, bytes }: CopyResult): string {
  return `${copied} copied (${formatBytes(bytes)}), ${skipped} already there`
}

/** Bytes for people: 1023 B, 1.5 KiB, 12.3 MiB. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** The site an operator named by id or slug, read at network scope: the command acts for no user. */
async function findSite(orm: Orm, siteRef: string): Promise<{ id: string; slug: string }> {
  const ref = siteRef.trim()
  const named = SITE_ID.test(ref) ? { id: ref.toLowerCase() } : { slug: ref }
  const found = await networkTransaction(orm, 'colophon media move: find the site an operator named', (tx) =>
    findSiteWithMembership(tx, named, null),
  )
  if (!found)
    throw SitesErrors.notFound({ message: `No site has the id or slug "${ref}".`, details: { site: ref } })
  return { id: found.site.id, slug: found.site.slug }
}

/** The arguments of `colophon media`, as the command line parsed them. */
export interface MediaCommandArgs {
  action: string | undefined
  site?: string | undefined
  to?: string | undefined
  keepSource?: boolean | undefined
}

const MEDIA_USAGE = 'usage: colophon media move --site <id or slug> --to <local|s3> [--keep-source]\n'

/**
 * `colophon media move` around `moveSiteMedia`: opens the database (refusing a schema that is not this
 * version's), and stops the first copy cleanly on SIGINT or SIGTERM. On PGlite no server can hold the
 * database at the same time (its data directory is locked), so there is no routing cache to wait for.
 */
export function createMediaCommand(config: Config, deps: CommandDeps = {}) {
  const { out, err, openDatabase } = commandDeps(config, deps)
  return async (args: MediaCommandArgs): Promise<number> => {
    const { site, to } = args
    if (args.action !== 'move' || !site || (to !== 'local' && to !== 's3')) {
      err.write(MEDIA_USAGE)
      return 64
    }
    const engine = await openDatabase()
    const stop = new AbortController()
    const onSignal = () => stop.abort(new Error('interrupted'))
    process.on('SIGINT', onSignal).on('SIGTERM', onSignal)
    try {
      await assertSchemaCurrent(engine)
      await moveSiteMedia({
        config,
        orm: engine.orm,
        siteRef: site,
        to,
        keepSource: args.keepSource ?? false,
        ...(engine.kind === 'pglite' && { waitMs: 0 }),
        out,
        signal: stop.signal,
      })
      return 0
    } catch (error) {
      if (!stop.signal.aborted || error !== stop.signal.reason) throw error
      err.write('media move: interrupted\n')
      return 1
    } finally {
      process.off('SIGINT', onSignal).off('SIGTERM', onSignal)
      await engine.close()
    }
  }
}

/** Refuses to work on a schema other than this version's, with the code that says which way it differs. */
async function assertSchemaCurrent(engine: Engine): Promise<void> {
  const status = await migrationStatus(engine, readMigrationFiles())
  if (status.current) return
  if (status.unknown.length > 0) throw DbErrors.migrationUnknown({ details: { unknown: status.unknown } })
  if (status.mismatched.length > 0)
    throw DbErrors.migrationChecksumMismatch({ details: { mismatched: status.mismatched.map((m) => m.id) } })
  throw DbErrors.schemaBehind({ details: { pending: status.pending.map((m) => m.id) } })
}
