import path from 'node:path'
import type { Config } from '../platform/config/index.ts'
import { createLocalStore, createS3Store, type ObjectStore } from '../platform/storage/index.ts'

/** Where this node spools uploads while they are checked: local disk, whatever the media storage. */
export function uploadSpoolDir(config: Config): string {
  return path.join(config.dataDir, 'tmp', 'uploads')
}

/**
 * The media object store the configuration names: files under `<dataDir>/media`, or an S3-compatible
 * bucket (`COLOPHON_S3_*`; without static credentials the SDK's default chain applies).
 */
export function createMediaStore(config: Config): ObjectStore {
  if (config.mediaStorage === 'local') return createLocalStore({ root: path.join(config.dataDir, 'media') })
  if (!config.s3Bucket) throw new TypeError('config: COLOPHON_MEDIA_STORAGE=s3 needs COLOPHON_S3_BUCKET')
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
