import { defineError } from '../errors/index.ts'

/**
 * Failures of routing objects to a site's provider (`createRoutedStore`) and of copying a site between
 * providers (`copyObjects`). Kept apart from `StorageErrors`, which the providers themselves raise.
 */
export const StorageMoveErrors = {
  /**
   * A site's objects live with a provider this server has no configuration for (a site set to `s3`
   * on a network without S3 settings). `details` names the site and the provider.
   */
  providerNotConfigured: defineError(
    'COLOPHON_STORAGE_PROVIDER_NOT_CONFIGURED',
    503,
    "This site's files are kept by a storage provider this server is not set up to reach.",
  ),
  /**
   * An object copied between providers arrived with a different size than it was read with; the copy
   * was removed. `details` names the key and both sizes.
   */
  copyIncomplete: defineError(
    'COLOPHON_STORAGE_COPY_INCOMPLETE',
    502,
    'A file arrived incomplete while being copied between storage providers.',
  ),
}
