/** Setup: the installation lifecycle, first-run setup and database updates. See README.md. */
export { SetupErrors } from './setup.errors.ts'
export { createSystemStateCache, registerSetupGate } from './setup.gate.ts'
export type { SystemStateCache } from './setup.gate.ts'
export { setupRoutes } from './setup.routes.ts'
export { CompleteSetupBody as CompleteSetupBodySchema, SETUP_STATES } from './setup.schema.ts'
export type { SetupState } from './setup.schema.ts'
export { createSetupService } from './setup.service.ts'
export type {
  IssuedToken,
  SetupResult,
  SetupService,
  SetupServiceDeps,
  SetupStep,
  SystemState,
} from './setup.service.ts'
export { tokenFileIn } from './setup.token-file.ts'
export type { TokenFile } from './setup.token-file.ts'
