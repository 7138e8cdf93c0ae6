import { isIP } from 'node:net'
import path from 'node:path'
import ipaddr from 'ipaddr.js'
import type { Config } from '../platform/config/index.ts'
import type { Orm } from '../platform/db/index.ts'
import {
  createLocalStore,
  createRoutedStore,
  createS3Store,
  type ObjectStore,
  type RoutedStore,
} from '../platform/storage/index.ts'
import { readSiteStorageKind } from '../modules/media/index.ts'

/** Where this node spools uploads while they are checked: local disk, whatever the media storage. */
export function uploadSpoolDir(config: Config): string {
  return path.join(config.dataDir, 'tmp', 'uploads')
}

/** The S3 store the configuration describes (`COLOPHON_S3_*`), or undefined when no bucket is set. */
export function createConfiguredS3Store(config: Config): ObjectStore | undefined {
  if (!config.s3Bucket) return undefined
  const { s3AccessKeyId: accessKeyId, s3SecretAccessKey: secretAccessKey } = config
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    throw new TypeError(
      'config: set both COLOPHON_S3_ACCESS_KEY_ID and COLOPHON_S3_SECRET_ACCESS_KEY, or neither',
    )
  return createS3Store({
    ...(config.s3Endpoint && { endpoint: config.s3Endpoint }),
    region: config.s3Region,
    bucket: config.s3Bucket,
    forcePathStyle: config.s3ForcePathStyle,
    ...(accessKeyId && secretAccessKey && { credentials: { accessKeyId, secretAccessKey } }),
    tmpDir: uploadSpoolDir(config),
  })
}

/** Files under `<dataDir>/media`: always available, whatever the network's default. */
export function createConfiguredLocalStore(config: Config): ObjectStore {
  return createLocalStore({ root: path.join(config.dataDir, 'media') })
}

/**
 * The media object store: local disk (`<dataDir>/media`) and, when configured, an S3-compatible bucket
 * (without static credentials the SDK's default chain applies). Each key goes to the provider of the site
 * it begins with (`sites.media_storage`, else `COLOPHON_MEDIA_STORAGE`), so a site can be moved from one
 * to the other (`colophon media move`) while the others stay.
 */
export function createMediaStore(config: Config, orm: Orm): RoutedStore {
  const s3 = createConfiguredS3Store(config)
  if (config.mediaStorage === 's3' && !s3)
    throw new TypeError('config: COLOPHON_MEDIA_STORAGE=s3 needs COLOPHON_S3_BUCKET')
  return createRoutedStore({
    stores: { local: createConfiguredLocalStore(config), ...(s3 && { s3 }) },
    defaultKind: config.mediaStorage,
    kindOf: (siteId) => readSiteStorageKind(orm, siteId),
  })
}

/**
 * The operator's allow-list for media imports (`COLOPHON_MEDIA_IMPORT_ALLOW`): entries with a `/` or that
 * are addresses are ranges (an address alone is its own /32 or /128), the rest host names. A range that
 * does not parse stops the start, naming the entry.
 */
export function importAllowList(entries: readonly string[]): { hosts: string[]; cidrs: string[] } {
  const hosts: string[] = []
  const cidrs: string[] = []
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase()
    if (entry === '') continue
    const family = isIP(entry)
    if (family !== 0) cidrs.push(`${entry}/${family === 4 ? 32 : 128}`)
    else if (entry.includes('/')) {
      if (!ipaddr.isValidCIDR(entry))
        throw new TypeError(`config: COLOPHON_MEDIA_IMPORT_ALLOW: "${entry}" is not a CIDR range`)
      cidrs.push(entry)
    } else hosts.push(entry)
  }
  return { hosts, cidrs }
}
