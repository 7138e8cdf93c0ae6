export { AppError, defineError, isAppError, listErrors } from './errors.ts'
export type { ErrorDefinition, ErrorFactory } from './errors.ts'
export { PlatformErrors } from './platform.errors.ts'
export { isNetworkErrorCode } from './network.ts'
