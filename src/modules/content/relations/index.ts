/**
 * Relations between entries and series of entries.
 * The public surface of content/relations/: sibling sub-modules and content/index.ts import only from it.
 */
export { RelationsErrors, SeriesErrors } from './relations.errors.ts'
export { createRelationsService } from './relations.service.ts'
export type { EntryRelationsView, LinkedEntry, RelationView, RelationsService } from './relations.service.ts'
export { relationsRoutes } from './relations.routes.ts'
export { createSeriesService } from './series.service.ts'
export type { SeriesDetailView, SeriesService, SeriesView } from './series.service.ts'
export { seriesRoutes } from './series.routes.ts'
