/**
 * Storage: where media bytes live. One contract (`ObjectStore`) with two providers, files on a local
 * disk (`createLocalStore`) and an S3-compatible bucket (`createS3Store`). Keys start with the site id.
 */
export { assertKeyPrefix, assertObjectKey, isObjectKey } from './object-store.ts'
export type { ByteRange, ObjectInfo, ObjectRead, ObjectStore, StoredObject } from './object-store.ts'
export { createLocalStore } from './local-store.ts'
export type { LocalStoreOptions } from './local-store.ts'
export { createS3Store } from './s3-store.ts'
export type { S3StoreOptions } from './s3-store.ts'
export { StorageErrors } from './storage.errors.ts'
export { spoolToFile, temporaryPath } from './spool.ts'
