/**
 * The reading API: what readers, members and editors may list and read.
 * The public surface of content/reading/: sibling sub-modules and content/index.ts import only from it.
 */
export { ReadingErrors } from './reading.errors.ts'
export { createReadingService } from './reading.service.ts'
export type {
  MediaInclude,
  MediaLinker,
  PasswordGuard,
  ReadingEntry,
  ReadingService,
  ReadingServiceDeps,
} from './reading.service.ts'
export type { StoredMediaInclude } from './reading.repo.ts'
export { entryPasswordGuards, readingRoutes } from './reading.routes.ts'
export type { ListEntriesInput } from './reading.schema.ts'
