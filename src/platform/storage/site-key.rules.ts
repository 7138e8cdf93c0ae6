import { assertKeyPrefix, assertObjectKey } from './object-store.ts'
import { StorageErrors } from './storage.errors.ts'

// The same rule as the key rules' first segment (object-store.ts): a lowercase UUID.
const SITE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The site id a key belongs to, its first segment. Refuses a key that breaks the key rules. */
export function siteIdOfKey(key: string): string {
  assertObjectKey(key)
  return key.split('/', 1)[0] as string
}

/**
 * The one site whose objects a `list` prefix can match: the prefix must pass the key rules and hold the
 * whole site id (`<site>` or `<site>/…`). A shorter prefix (`''`, part of an id) could match objects of
 * several sites, so it is refused with `COLOPHON_STORAGE_KEY_INVALID`.
 */
export function siteIdOfPrefix(prefix: string): string {
  assertKeyPrefix(prefix)
  const slash = prefix.indexOf('/')
  const first = slash === -1 ? prefix : prefix.slice(0, slash)
  if (!SITE_ID.test(first)) {
    throw StorageErrors.keyInvalid({ details: { prefix: prefix.slice(0, 600), reason: 'no whole site id' } })
  }
  return first
}
