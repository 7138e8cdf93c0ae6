export { REDACTED_PATHS, loggerOptions, requestIdFor } from './log.ts'
