/** API keys: credentials for scripts and integrations, scoped to a subset of their owner's capabilities. See README.md. */
export { ApiKeysErrors } from './api-keys.errors.ts'
export { apiKeysRoutes } from './api-keys.routes.ts'
export type { ApiKeysRoutesOptions } from './api-keys.routes.ts'
export { KEY_PREFIX, createApiKeysService, formatKey } from './api-keys.service.ts'
export type {
  ApiKeyStatus,
  ApiKeyView,
  ApiKeysService,
  ApiKeysServiceDeps,
  CreateApiKeyInput,
} from './api-keys.service.ts'
