export { REDACTED_PATHS, loggableUrl, loggerOptions, requestIdFor } from './log.ts'
export { describeError, serializeError } from './error-serializer.ts'
export type { SerializedError } from './error-serializer.ts'
