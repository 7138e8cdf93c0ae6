/** Values the global setup hands to every test file (see test/global-setup.ts). */
export interface HarnessContext {
  /** `pglite` or `postgres`, from DATABASE_URL. */
  engine: 'pglite' | 'postgres'
  /** PGlite: dumped data directories. PostgreSQL: names of template databases. */
  emptyTemplate: string
  migratedTemplate: string
  /** PostgreSQL only: the connection URL the harness was given (its database is used for admin work). */
  adminUrl?: string
  /**
   * Running in CI (`CI` set): every peer a test needs (Redis, xmllint) is installed there, so a missing
   * one fails its tests instead of skipping them.
   */
  ci: boolean
}

declare module 'vitest' {
  export interface ProvidedContext {
    harness: HarnessContext
  }
}
