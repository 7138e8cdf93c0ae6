import {
  applyMigrations,
  migrationStatus,
  networkTransaction,
  withOwnerRole,
  type ApplyResult,
  type Engine,
  type MigrationFile,
  type MigrationStatus,
} from '../../platform/db/index.ts'
import { hashPassword, hashToken, randomToken, timingSafeEqualText } from '../../platform/security/index.ts'
import { createMainSite, type SiteSummary } from '../sites/index.ts'
import { requireCapability, type Ctx } from '../../platform/access/index.ts'
import { recordAudit } from '../audit/index.ts'
import { createNetworkAdmin, type UserSummary } from '../users/index.ts'
import { SetupErrors } from './setup.errors.ts'
import {
  ensureSetupTable,
  lockSetupState,
  markConfigured,
  markMigrated,
  markReady,
  readSetupRecord,
  replaceTokenHash,
} from './setup.repo.ts'
import type { ApplyMigrationsInput, CompleteSetupInput, SetupState } from './setup.schema.ts'
import type { TokenFile } from './setup.token-file.ts'

/**
 * The installation lifecycle: not_configured → configured → migrated → ready. Forward only; every step
 * is idempotent, so a crash anywhere is repaired by running the same call again:
 * - configured: the server has started once against this database and issued a setup token;
 * - migrated: every shipped migration is applied (each in its own transaction);
 * - ready: the network admin and the main site exist. Both are created in the same transaction that
 *   marks the state ready, so a crash can never leave an admin without a site, or two admins.
 */

export type SetupStep = 'configured' | 'migrated' | 'ready'

export interface SystemState {
  setup: SetupState
  schema: { current: boolean; pending: number; conflict: boolean }
}

export interface SetupResult {
  state: 'ready'
  admin: UserSummary
  site: SiteSummary
}

export interface IssuedToken {
  token: string
  source: 'preset' | 'file' | 'generated'
}

export interface SetupServiceDeps {
  engine: Engine
  migrations: readonly MigrationFile[]
  tokenFile: TokenFile
  /** `COLOPHON_SETUP_TOKEN`, for unattended installs. */
  presetToken?: string | undefined
  /** Called after each step completes. Tests use it to simulate a crash between steps. */
  afterStep?: (step: SetupStep) => void | Promise<void>
  /** Called when the state or the schema changes, so cached views of them can be refreshed. */
  onChange?: () => void
}

export type SetupService = ReturnType<typeof createSetupService>

export function createSetupService(deps: SetupServiceDeps) {
  const { engine, migrations, tokenFile } = deps
  const changed = () => deps.onChange?.()

  function summariseSchema(status: MigrationStatus): SystemState['schema'] {
    return {
      current: status.current,
      pending: status.pending.length,
      conflict: status.mismatched.length > 0 || status.unknown.length > 0,
    }
  }

  async function systemState(): Promise<SystemState> {
    const [record, status] = await Promise.all([readSetupRecord(engine), migrationStatus(engine, migrations)])
    return { setup: record?.state ?? 'not_configured', schema: summariseSchema(status) }
  }

  /** not_configured → configured; harmless in any later state. */
  async function configure(tokenHash: string | null): Promise<void> {
    await ensureSetupTable(engine)
    await markConfigured(engine, tokenHash)
  }

  /**
   * Run by `serve` at start. Until setup completes, makes sure a setup token exists and returns it for the
   * console: the preset one, else the one in the token file if it still matches, else a new one (which
   * replaces any older token). After setup, removes a token file left behind and returns null.
   */
  async function prepareAtStart(): Promise<IssuedToken | null> {
    const record = await readSetupRecord(engine)
    if (record?.state === 'ready') {
      tokenFile.remove()
      return null
    }
    const fromFile = tokenFile.read()
    let issued: IssuedToken
    if (deps.presetToken) issued = { token: deps.presetToken, source: 'preset' }
    else if (fromFile && record?.tokenHash && timingSafeEqualText(hashToken(fromFile), record.tokenHash)) {
      issued = { token: fromFile, source: 'file' }
    } else issued = { token: randomToken(32), source: 'generated' }
    const tokenHash = hashToken(issued.token)
    await configure(tokenHash)
    await replaceTokenHash(engine, tokenHash)
    tokenFile.write(issued.token)
    changed()
    return issued
  }

  async function migrate(options: { dryRun?: boolean } = {}): Promise<ApplyResult> {
    const result = await applyMigrations(engine, migrations, options)
    if (!options.dryRun) {
      // `colophon migrate` may run before the server ever started: the state table must exist.
      await ensureSetupTable(engine)
      await markMigrated(engine)
      changed()
      await deps.afterStep?.('migrated')
    }
    return result
  }

  async function install(input: {
    admin: CompleteSetupInput['admin']
    site: CompleteSetupInput['site']
  }): Promise<SetupResult> {
    // Hash before the transaction: it is slow, and a transaction must stay short.
    const passwordHash = await hashPassword(input.admin.password)
    // The admin and the main site are written as the application role at network scope, like any other
    // user and site: forced row-level security binds the owner role too (the site trigger seeds content
    // types). Only the setup state, which the application role cannot reach, is touched as the owner.
    const result = await networkTransaction(
      engine.orm,
      'installation: the first admin and main site',
      async (tx) => {
        const state = await withOwnerRole(tx, () => lockSetupState(tx))
        if (state === 'ready') throw SetupErrors.alreadyComplete()
        const admin = await createNetworkAdmin(tx, {
          email: input.admin.email,
          name: input.admin.name,
          passwordHash,
        })
        const site = await createMainSite(tx, { name: input.site.name, ownerId: admin.id })
        await withOwnerRole(tx, () => markReady(tx))
        return { state: 'ready' as const, admin, site }
      },
    )
    changed()
    await deps.afterStep?.('ready')
    tokenFile.remove()
    return result
  }

  async function runToReady(input: Pick<CompleteSetupInput, 'admin' | 'site'>): Promise<SetupResult> {
    const record = await readSetupRecord(engine)
    if (record?.state !== 'ready') {
      await migrate()
    }
    return install(input)
  }

  /** POST /api/v1/setup: checks the token, then migrates and installs. Resumable after a crash. */
  async function completeSetup(input: CompleteSetupInput): Promise<SetupResult> {
    const record = await readSetupRecord(engine)
    if (record?.state === 'ready') throw SetupErrors.alreadyComplete()
    if (!record?.tokenHash) throw SetupErrors.notConfigured()
    if (!timingSafeEqualText(hashToken(input.token), record.tokenHash)) throw SetupErrors.tokenInvalid()
    return runToReady(input)
  }

  /**
   * `colophon create-admin`: whoever runs the CLI already controls the installation, so no token is
   * needed. Before setup it performs the whole setup; after it, it adds another network admin.
   */
  async function createAdminUnattended(input: Pick<CompleteSetupInput, 'admin' | 'site'>): Promise<{
    admin: UserSummary
    site: SiteSummary | null
  }> {
    const record = await readSetupRecord(engine)
    if (record?.state !== 'ready') {
      await configure(null)
      await deps.afterStep?.('configured')
      const result = await runToReady(input)
      return { admin: result.admin, site: result.site }
    }
    const passwordHash = await hashPassword(input.admin.password)
    const admin = await networkTransaction(engine.orm, 'installation: the first admin', (tx) =>
      createNetworkAdmin(tx, { email: input.admin.email, name: input.admin.name, passwordHash }),
    )
    return { admin, site: null }
  }

  /** POST /api/v1/setup/migrations: a network admin applies a pending database update. */
  async function applyUpdate(
    ctx: Ctx,
    input: ApplyMigrationsInput,
  ): Promise<ApplyResult & { schema: SystemState['schema'] }> {
    requireCapability(ctx, 'network.settings.manage')
    const record = await readSetupRecord(engine)
    if (record?.state !== 'ready') throw SetupErrors.notComplete()
    const result = await migrate({ dryRun: input.dryRun ?? false })
    if (!result.dryRun && result.applied.length > 0) {
      await ctx.tx((tx) =>
        recordAudit(ctx, tx, { action: 'setup.database.update', summary: { applied: result.applied } }),
      )
    }
    return { ...result, schema: summariseSchema(await migrationStatus(engine, migrations)) }
  }

  return {
    systemState,
    prepareAtStart,
    migrate,
    completeSetup,
    createAdminUnattended,
    applyUpdate,
    tokenFilePath: tokenFile.path,
  }
}
