/**
 * Storage: where media bytes live. One contract (`ObjectStore`) with two providers, files on a local
 * disk (`createLocalStore`) and an S3-compatible bucket (`createS3Store`). Keys start with the site id.
 * `createRoutedStore` sends each site's keys to the provider the site names; `copyObjects` and
 * `deleteObjects` move a site's objects from one provider to another.
 */
export { assertKeyPrefix, assertObjectKey, isObjectKey } from './object-store.ts'
export type { ByteRange, ObjectInfo, ObjectRead, ObjectStore, StoredObject } from './object-store.ts'
export { createLocalStore } from './local-store.ts'
export type { LocalStoreOptions } from './local-store.ts'
export { createS3Store } from './s3-store.ts'
export type { S3StoreOptions } from './s3-store.ts'
export { createRoutedStore } from './routed-store.ts'
export type { RoutedStore, RoutedStoreOptions, StoreKind } from './routed-store.ts'
export { copyObjects, deleteObjects } from './copy.ts'
export type { CopyOptions, CopyProgress, CopyResult } from './copy.ts'
export { siteIdOfKey, siteIdOfPrefix } from './site-key.rules.ts'
export { StorageErrors } from './storage.errors.ts'
export { StorageMoveErrors } from './storage-moves.errors.ts'
export { spoolToFile, temporaryPath } from './spool.ts'
