import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DbErrors } from '../../platform/db/index.ts'
import type { ErrorFactory } from '../../platform/errors/index.ts'
import { envelope, plainPage } from '../../platform/http/index.ts'
import { SetupErrors } from './setup.errors.ts'
import type { SystemState } from './setup.service.ts'

/**
 * While setup is incomplete, or the schema is behind the code, the node serves only what is needed to
 * fix that: setup and migration endpoints, health, readiness, metrics and the API docs. Every other
 * API call gets a coded 503 and every public page a plain 503 page. The node never migrates on its own.
 */

export interface SystemStateCache {
  get(): Promise<SystemState>
  invalidate(): void
}

/**
 * Caches the state briefly: every request consults it, but it changes only at setup and upgrades. When
 * the node is not serving normally it re-reads often, so an update applied by another process (the CLI,
 * another node) is noticed within seconds.
 */
export function createSystemStateCache(
  load: () => Promise<SystemState>,
  { steadyMs = 30_000, changingMs = 2_000 }: { steadyMs?: number; changingMs?: number } = {},
): SystemStateCache {
  let cached: { state: SystemState; expires: number } | undefined
  let inflight: Promise<SystemState> | undefined
  return {
    async get() {
      if (cached && cached.expires > Date.now()) return cached.state
      inflight ??= load()
        .then((state) => {
          const serving = state.setup === 'ready' && state.schema.current
          cached = { state, expires: Date.now() + (serving ? steadyMs : changingMs) }
          return state
        })
        .finally(() => {
          inflight = undefined
        })
      return inflight
    },
    invalidate() {
      cached = undefined
    },
  }
}

const ALWAYS_OPEN = [
  /^\/health$/,
  /^\/ready$/,
  /^\/metrics$/,
  /^\/api\/v1\/setup(\/migrations)?$/,
  /^\/api\/v1\/openapi\.json$/,
  /^\/api\/docs(\/|$)/,
]

/**
 * Once installed, signing in stays possible while a database update is pending: applying it through
 * POST /api/v1/setup/migrations needs a network admin's session (with its second factor).
 */
const OPEN_ONCE_INSTALLED = [/^\/api\/v1\/auth\/(login|2fa|logout|me)$/]

function blockingError(state: SystemState): ErrorFactory | null {
  if (state.setup !== 'ready') return SetupErrors.required
  if (state.schema.conflict) return SetupErrors.schemaConflict
  if (!state.schema.current) return SetupErrors.migrationRequired
  return null
}

const PAGES: Record<string, { title: string; body: string[] }> = {
  [SetupErrors.required.code]: {
    title: 'Colophon is not set up yet',
    body: [
      'This site will be available once its installation is complete.',
      'Administrators: complete setup with the setup token printed when the server started (POST /api/v1/setup).',
    ],
  },
  [SetupErrors.migrationRequired.code]: {
    title: 'Database update required',
    body: [
      'This site is being updated and will be back shortly.',
      'Administrators: apply the update with `colophon migrate` or POST /api/v1/setup/migrations.',
    ],
  },
  [SetupErrors.schemaConflict.code]: {
    title: 'Database update required',
    body: [
      'This site is temporarily unavailable.',
      'Administrators: the database schema does not match this version; see the server logs.',
    ],
  },
  [DbErrors.unavailable.code]: {
    title: 'Temporarily unavailable',
    body: ['This site cannot reach its database. Please try again in a moment.'],
  },
}

function reject(
  request: FastifyRequest,
  reply: FastifyReply,
  def: ErrorFactory,
  details?: unknown,
): FastifyReply {
  reply.code(def.status).header('retry-after', '30').header('cache-control', 'no-store')
  if (request.url.startsWith('/api/')) return reply.send(envelope(request, def.code, def.message, details))
  const page = PAGES[def.code] ?? { title: 'Temporarily unavailable', body: [def.message] }
  return reply.type('text/html; charset=utf-8').send(plainPage(page))
}

export function registerSetupGate(app: FastifyInstance, cache: SystemStateCache): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? '/'
    if (ALWAYS_OPEN.some((re) => re.test(path))) return
    let state: SystemState
    try {
      state = await cache.get()
    } catch (err) {
      request.log.error({ err }, 'cannot read the installation state')
      return reject(request, reply, DbErrors.unavailable)
    }
    const blocking = blockingError(state)
    if (blocking && state.setup === 'ready' && OPEN_ONCE_INSTALLED.some((re) => re.test(path))) return
    if (blocking)
      return reject(request, reply, blocking, { setup: state.setup, pendingMigrations: state.schema.pending })
  })
}
