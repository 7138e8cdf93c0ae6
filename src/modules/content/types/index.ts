/**
 * Content types, field groups and custom fields: definitions, compilation, value validation.
 * The public surface of content/types/: sibling sub-modules and content/index.ts import only from it.
 */
export { createTypesService, loadCompiledType, validateEntryFields } from './types.service.ts'
export { mediaIdsOf } from './types.repo.ts'
export type { CompiledType, FieldDef, FieldType, TypeView, TypesService } from './types.service.ts'
export { typesRoutes } from './types.routes.ts'
export { FieldGroupsErrors, TypesErrors } from './types.errors.ts'
export { createFieldGroupsService } from './field-groups.service.ts'
export type { FieldGroupView, FieldGroupsService } from './field-groups.service.ts'
export { fieldGroupsRoutes } from './field-groups.routes.ts'
