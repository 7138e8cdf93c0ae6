import compress from '@fastify/compress'
import cookie from '@fastify/cookie'
import etag from '@fastify/etag'
import rateLimit from '@fastify/rate-limit'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Config } from '../platform/config/index.ts'
import { PlatformErrors } from '../platform/errors/index.ts'
import {
  analyzeTables,
  readMigrationFiles,
  type Engine,
  type MigrationFile,
  type QueryStats,
} from '../platform/db/index.ts'
import {
  clientErrorHandler,
  enforceAccessDeclarations,
  frameworkErrorHandler,
  registerErrorHandling,
  registerHealthRoutes,
  metricsOptionsOf,
  registerMetrics,
  createResponseCache,
  createPageCache,
  parsePageChange,
  registerOpenApi,
  registerQueryTiming,
  registerRequestGuards,
  registerSecurityHeaders,
  etagHash,
  registerValidation,
  rateLimitStore,
  type DeclaredRoute,
} from '../platform/http/index.ts'
import {
  createBus,
  createCounters,
  createRedisPageStore,
  openRedis,
  registerRedisMetrics,
  type Bus,
  type RedisLink,
} from '../platform/redis/index.ts'
import { asSystem } from '../platform/access/index.ts'
import { loggerOptions, requestIdFor } from '../platform/log/index.ts'
import { createMailer, type Mailer } from '../platform/mail/index.ts'
import { openKeyring, type Keyring, type ResealReport } from '../platform/security/index.ts'
import { accountRoutes } from '../modules/account/index.ts'
import { apiKeysRoutes, createApiKeysService } from '../modules/api-keys/index.ts'
import { auditRoutes } from '../modules/audit/index.ts'
import {
  authRoutes,
  CSRF_HEADER,
  createAuthService,
  createResetService,
  createSiteSigninService,
  createTotpService,
  PASSWORD_RESET_QUEUE,
  registerResetJobs,
  registerAuthentication,
  resetRoutes,
  revokeUserSessions,
  SESSION_COOKIE,
  siteSigninRoutes,
  totpRoutes,
} from '../modules/auth/index.ts'
import { mailRoutes } from '../modules/mail/index.ts'
import {
  createRbacService,
  createSiteInvitationsService,
  rbacRoutes,
  siteInvitationRoutes,
} from '../modules/rbac/index.ts'
import {
  createDomainsService,
  createIndexingService,
  createQuotasService,
  createSitesService,
  domainsRoutes,
  indexingRoutes,
  purgeDeletedSites,
  quotasRoutes,
  registerHostRouting,
  sitesRoutes,
} from '../modules/sites/index.ts'
import {
  createTokensService,
  createUsersAdminService,
  siteInvitationAccounts,
  tokenRoutes,
  usersRoutes,
  type UserDeletionHook,
} from '../modules/users/index.ts'
import {
  createSetupService,
  createSystemStateCache,
  registerSetupGate,
  setupRoutes,
  tokenFileIn,
  type SetupService,
  type SetupStep,
} from '../modules/setup/index.ts'
import { createMediaStore, importAllowList, uploadSpoolDir } from './media-store.ts'
import { CACHE_TOPIC, mayChangeWhatReadersSee, publishPageChange } from './page-changes.ts'
import { resealStoredSecrets } from './secrets.ts'
import { VERSION } from './version.ts'
import { createJobs, type Jobs, type QueueOptions } from '../platform/jobs/index.ts'
import { createJobsService, jobsRoutes } from '../modules/jobs/index.ts'
import {
  createEntriesService,
  createFieldGroupsService,
  createPreviewsService,
  createReadingService,
  createRelationsService,
  createRevisionsService,
  createSeriesService,
  createTypesService,
  createWorkflowService,
  entriesRoutes,
  fieldGroupsRoutes,
  previewsRoutes,
  readingRoutes,
  reassignEntriesOfDeletedUser,
  registerContentJobs,
  relationsRoutes,
  revisionsRoutes,
  seriesRoutes,
  typesRoutes,
  workflowRoutes,
} from '../modules/content/index.ts'
import {
  createEntryTermsService,
  createTaxonomyService,
  createTermsService,
  taxonomyRoutes,
  termsRoutes,
} from '../modules/taxonomy/index.ts'
import { createRedirectsService, redirectsRoutes } from '../modules/redirects/index.ts'
import {
  MEDIA_PURGE_SITE_QUEUE,
  createFoldersService,
  createMediaLinker,
  createMediaProcessor,
  createMediaService,
  createPublicMedia,
  publicMediaRoutes,
  limitImageMemory,
  mediaRoutes,
  registerMediaJobs,
} from '../modules/media/index.ts'
import { createMenusService, menusRoutes } from '../modules/menus/index.ts'
import {
  createPagesService,
  createRenderErrorRecorder,
  createSiteThemeService,
  createThemeRegistry,
  createThemesService,
  findMainSite,
  pagesRoutes,
  passwordRoutes,
  readInstalledThemeFiles,
  themeAdminRoutes,
} from '../modules/render/index.ts'
import type { SiteRef } from '../platform/access/index.ts'

/**
 * The composition root: the only place that knows every module. It wires platform services into
 * modules and modules into the HTTP server. Tests build the same app with their own engine.
 */
export interface AppDeps {
  config: Config
  engine: Engine
  /** Defaults to the migrations shipped in `migrations/`. */
  migrations?: readonly MigrationFile[]
  /** Where log lines go (default stdout). Tests capture them to check that no secret is ever logged. */
  logStream?: { write(line: string): void }
  /** Test hook: runs after each setup step (used to simulate a crash). */
  afterSetupStep?: (step: SetupStep) => void | Promise<void>
  /** More modules that hand a deleted user's content over (`reassignTo`), after content's own. Tests pass recorders. */
  userDeletionHooks?: readonly UserDeletionHook[]
  /** DNS TXT lookups for custom-domain verification (default: the system resolver). Tests pass a function. */
  resolveTxt?: (name: string) => Promise<string[][]>
  /** How often idle job workers poll (seconds, ≥ 0.5; default 2). Tests shorten it. */
  jobsPollingSeconds?: number
  /** The encryption keys, when the caller opened them already (`serve` does, before the database). */
  keyring?: Keyring
  /** Retry policy of the mail queue (default: 5 retries from 30 s, doubling). Tests shorten it. */
  mailRetry?: QueueOptions
  /**
   * Test hook: the statistics object each request collects its statements into (default
   * `newQueryStats()`). The harness returns one with `plans` to capture query plans; no client can ask.
   */
  newRequestQueryStats?: () => QueryStats
}

export interface App {
  server: FastifyInstance
  setup: SetupService
  mailer: Mailer
  /** Every route with its access declaration (the route-coverage test walks it). */
  routes: readonly DeclaredRoute[]
  /**
   * Periodic housekeeping that needs no request: purging sites whose deletion grace period has passed.
   * `serve` runs it at start and every hour; it is idempotent, so several nodes may run it.
   */
  runMaintenance(now?: Date): Promise<void>
  /**
   * Queues one maintenance run now (`serve` does at start). Afterwards it recurs hourly on the jobs
   * clock, worked by whichever process works jobs: a network of many nodes does it once, not per node.
   */
  queueMaintenance(): Promise<void>
  /**
   * Seals every stored secret (2FA secrets, queued mail bodies) not under the current encryption key
   * again, legacy clear 2FA secrets included: `colophon secrets rotate`, and each maintenance run.
   */
  resealSecrets(): Promise<ResealReport[]>
  /**
   * The job queues, with every module's job definitions. Nothing polls until `jobs.start({ work: true })`
   * (`serve` per `jobsInProcess`, `colophon worker`, or a test); closing the server stops them.
   */
  jobs: Jobs
  /** The broadcast between nodes (in process without Redis). */
  bus: Bus
  /** The link to the shared Redis, when `redisUrl` is configured. */
  redis: RedisLink | null
}

/** Broadcast topic of host names or site states (changes readers see travel on page-changes.ts's). */
const HOSTS_TOPIC = 'hosts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const MINUTE = 60_000
/** The hourly network upkeep: purging sites past their deletion grace period, resealing secrets. */
export const MAINTENANCE_QUEUE = 'network.maintenance'
const HOUR = 60 * MINUTE

export async function buildApp(deps: AppDeps): Promise<App> {
  const { config, engine } = deps
  const migrations = deps.migrations ?? readMigrationFiles()

  const server = Fastify({
    logger: deps.logStream
      ? { ...loggerOptions(config.logLevel), stream: deps.logStream }
      : loggerOptions(config.logLevel),
    genReqId: requestIdFor,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy.length > 0 ? [...config.trustProxy] : false,
    // Closing is answered by our own hook below, so the reply keeps the error envelope.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true },
    frameworkErrors: frameworkErrorHandler,
    // Requests the HTTP parser cannot read (oversized or malformed headers) still get the error envelope.
    clientErrorHandler,
  })

  const routes = enforceAccessDeclarations(server)
  registerErrorHandling(server)
  registerValidation(server)
  // First of the onRequest hooks, so that replies refused by any later one carry them too.
  registerSecurityHeaders(server, {
    // HSTS only makes sense behind HTTPS, which production deployments terminate in front of us.
    strictTransportSecurity: config.env === 'production',
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Left out: a plain-HTTP install (development, a private network) would have every asset rewritten to https.
        upgradeInsecureRequests: null,
      },
    },
  })
  registerRequestGuards(server)
  registerQueryTiming(server, { header: config.queryTiming, newStats: deps.newRequestQueryStats })
  let closing = false
  server.addHook('preClose', (done) => {
    closing = true
    done()
  })
  server.addHook('onRequest', async (_request, reply) => {
    if (!closing) return
    reply.header('connection', 'close')
    throw PlatformErrors.unavailable()
  })
  server.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', request.id)
    return payload
  })

  await server.register(compress, { threshold: 1024 })
  // The plugin's own tags (SHA-1, base64), by Node's one-shot hash (etag.ts).
  await server.register(etag, { hashFn: etagHash })
  // Shared by every node when Redis is configured (ADR 0014): rate-limit and quota counters, and the
  // broadcast that clears caches. Closed after everything else that may still count or publish.
  const redis = config.redisUrl
    ? await openRedis({ url: config.redisUrl, keyPrefix: config.redisKeyPrefix, log: server.log })
    : null
  const counters = createCounters({ redis, log: server.log })
  // Without Redis on PostgreSQL, nodes sharing the database hear each other through LISTEN/NOTIFY.
  const pgPool = engine.rawClient.kind === 'postgres' ? engine.rawClient.pool : null
  const bus = createBus({
    redis,
    postgres: pgPool && !redis ? { connection: pgPool.options } : null,
    log: server.log,
  })
  server.addHook('onClose', async () => {
    await bus.close()
    await redis?.close()
  })
  await server.register(rateLimit, { global: false, store: rateLimitStore(counters) })
  await server.register(cookie)

  const metrics = registerMetrics(server, metricsOptionsOf(config))
  if (redis) registerRedisMetrics(metrics, { redis, counters, bus })
  await registerOpenApi(server, {
    version: VERSION,
    sessionCookie: SESSION_COOKIE,
    csrfHeader: CSRF_HEADER,
  })

  // A node that saw its schema behind and now sees it current was migrated while it ran: statements its
  // connections prepared may read columns whose types changed, so they are prepared afresh (ADR 0015).
  let schemaWasBehind = false
  const stateCache = createSystemStateCache(async () => {
    const state = await setup.systemState()
    if (!state.schema.current) schemaWasBehind = true
    else if (schemaWasBehind) {
      schemaWasBehind = false
      engine.forgetPreparedStatements()
    }
    return state
  })
  const setup: SetupService = createSetupService({
    engine,
    migrations,
    tokenFile: tokenFileIn(config.dataDir),
    presetToken: config.setupToken,
    afterStep: deps.afterSetupStep,
    onChange: () => stateCache.invalidate(),
  })

  registerHealthRoutes(server, async () => {
    const state = await setup.systemState()
    const schema = state.schema.conflict
      ? 'conflict'
      : state.schema.current
        ? 'current'
        : `behind (${state.schema.pending} pending)`
    // Reported, not required: without Redis a node still serves, counting and caching on its own.
    const checks: Record<string, string> = { database: 'ok', schema, setup: state.setup }
    if (redis) checks.redis = await redis.check()
    return { ready: state.setup === 'ready' && state.schema.current, checks }
  })
  registerSetupGate(server, stateCache)
  // After the setup gate (before installation there are no host names to read), before authentication
  // (a request for an unknown host never reaches credential checks).
  const hostRouting = registerHostRouting(server, { orm: engine.orm, rootDomain: config.rootDomain })

  // Jobs first: mail is delivered by jobs. Queued mail is durable, so closing only stops the workers.
  const jobs = createJobs({
    engine,
    log: server.log,
    pollingIntervalSeconds: deps.jobsPollingSeconds,
    stopTimeoutMs: config.shutdownTimeoutMs,
  })
  // Connected (not working) once the server is ready, so services can queue jobs inside their own
  // transactions (a mail with the token it carries); serve and worker may start working it before.
  server.addHook('onReady', async () => {
    await jobs.start()
  })
  server.addHook('onClose', async () => {
    await jobs.stop()
  })
  const { box } = deps.keyring ?? openKeyring(config)
  const mailer = createMailer({
    jobs,
    box,
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    log: server.log,
    feederQueues: [PASSWORD_RESET_QUEUE],
    retry: deps.mailRetry,
  })
  server.addHook('onClose', async () => {
    mailer.close()
  })

  // After the setup gate: before installation the identity tables may not exist yet.
  const authentication = registerAuthentication(server, {
    orm: engine.orm,
    sessionIdleMs: config.sessionIdleHours * HOUR,
    apiKeyRateLimit: config.apiKeyRateLimit,
    siteApiCallsPerMinute: config.siteApiCallsPerMinute,
    anonymousRequestsPerMinute: config.anonymousRequestsPerMinute,
  })
  const auth = createAuthService({ sessionMaxMs: config.sessionMaxHours * HOUR, challengeTtlMs: 5 * MINUTE })

  await server.register(setupRoutes, { service: setup, cache: stateCache, rateLimit: config.setupRateLimit })
  await server.register(authRoutes, {
    service: auth,
    clientLimit: config.authRateLimit,
    accountLimit: config.authAccountRateLimit,
  })
  await server.register(auditRoutes)

  const publicBaseUrl = config.publicUrl ?? `http://${config.host}:${config.port}`
  const clientLimit = config.authRateLimit
  const totp = createTotpService({ auth, box })
  await server.register(totpRoutes, { service: totp, auth, clientLimit })
  const resetService = createResetService({ mailer, jobs, baseUrl: publicBaseUrl })
  registerResetJobs(jobs, resetService)
  await server.register(resetRoutes, {
    service: resetService,
    clientLimit,
    accountLimit: config.authAccountRateLimit,
  })
  await server.register(apiKeysRoutes, { service: createApiKeysService() })
  await server.register(usersRoutes, {
    service: createUsersAdminService({
      revokeSessions: revokeUserSessions,
      onDelete: [reassignEntriesOfDeletedUser, ...(deps.userDeletionHooks ?? [])],
    }),
  })
  await server.register(tokenRoutes, {
    service: createTokensService({ mailer, baseUrl: publicBaseUrl }),
    clientLimit,
  })
  await server.register(rbacRoutes, { service: createRbacService({ revokeSessions: revokeUserSessions }) })
  await server.register(siteInvitationRoutes, {
    service: createSiteInvitationsService({
      mailer,
      baseUrl: publicBaseUrl,
      accounts: siteInvitationAccounts,
    }),
    clientLimit,
  })
  await server.register(mailRoutes, { mailer })
  await server.register(accountRoutes)

  const forgetHosts = () => {
    hostRouting.invalidate()
    authentication.invalidateSites()
  }
  bus.subscribe(HOSTS_TOPIC, forgetHosts)
  const hostsChanged = () => void bus.publish(HOSTS_TOPIC)
  await server.register(sitesRoutes, {
    service: createSitesService({ rootDomain: config.rootDomain, onChange: hostsChanged }),
  })
  await server.register(domainsRoutes, {
    service: createDomainsService({
      rootDomain: config.rootDomain,
      resolveTxt: deps.resolveTxt,
      onChange: hostsChanged,
    }),
  })
  const quotas = createQuotasService({
    defaults: {
      apiCallsPerMinute: config.siteApiCallsPerMinute,
      entriesQuota: config.siteEntriesQuota,
      mediaBytesQuota: config.siteMediaBytesQuota,
    },
  })
  await server.register(quotasRoutes, { service: quotas })
  const mediaStore = createMediaStore(config, engine.orm)
  server.addHook('onClose', () => mediaStore.close())
  // Image work (upload checks, the variants job) shares the process with everything else: bounded memory.
  limitImageMemory()
  registerMediaJobs(jobs, createMediaProcessor({ store: mediaStore, tmpDir: uploadSpoolDir(config) }), {
    store: mediaStore,
    providers: mediaStore.providers,
  })
  const publicMedia = createPublicMedia({ orm: engine.orm, store: mediaStore, signer: box })
  // Readers get media URLs in replies and pages: plain for public items, signed for the rest.
  const mediaLinker = createMediaLinker({
    signer: box,
    lifetimeSeconds: config.mediaSignedUrlSeconds,
    publicBaseUrl: config.mediaPublicBaseUrl,
  })
  await server.register(mediaRoutes, {
    folders: createFoldersService(),
    service: createMediaService({
      store: mediaStore,
      quotas,
      jobs,
      maxUploadBytes: config.mediaMaxUploadBytes,
      tmpDir: uploadSpoolDir(config),
      importer: {
        timeoutMs: config.mediaImportTimeoutSeconds * 1000,
        allow: importAllowList(config.mediaImportAllow),
      },
    }),
    maxUploadBytes: config.mediaMaxUploadBytes,
  })
  await server.register(indexingRoutes, { service: createIndexingService() })
  await server.register(jobsRoutes, { service: createJobsService({ jobs }) })

  // Content core: types, entries, revisions, workflow (its jobs too), taxonomies, relations, series,
  // redirects, and the reading API.
  const readCache = createResponseCache({
    ttlMs: config.readCacheMaxBytes > 0 ? config.readCacheSeconds * 1000 : 0,
    maxBytes: config.readCacheMaxBytes,
    registry: metrics,
    lease: { isCurrent: bus.isCurrent, ms: bus.leaseMs },
  })
  // Public pages for anonymous readers (ADR 0019): this node's memory, and Redis for every node when set.
  const pageCacheTtlMs = config.pageCacheMaxBytes > 0 ? config.pageCacheSeconds * 1000 : 0
  const pageCache = createPageCache({
    ttlMs: pageCacheTtlMs,
    maxBytes: config.pageCacheMaxBytes,
    shared:
      redis && pageCacheTtlMs > 0
        ? createRedisPageStore({ redis, log: server.log, ttlMs: pageCacheTtlMs })
        : undefined,
    registry: metrics,
    lease: { isCurrent: bus.isCurrent, ms: bus.leaseMs },
  })
  bus.subscribe(CACHE_TOPIC, (message) => {
    const change = parsePageChange(message)
    readCache.invalidate(change.siteId)
    pageCache.forget(change.siteId === undefined ? undefined : change.tags)
  })
  // A node that may have missed broadcasts forgets what they could have invalidated.
  bus.onMissed(() => {
    readCache.invalidate()
    pageCache.forget()
    forgetHosts()
  })
  const contentChanged = (siteId?: string, tags: readonly string[] = []) =>
    publishPageChange(bus, pageCache, siteId, tags)
  // A successful write may change what anonymous readers of the site (or, for network changes such as a
  // user's name, of any site) are shown: its pages and replies go, on every node (the site's tag: one
  // rule for every write, ADR 0019). Cleared before the reply leaves: once a client holds the answer to
  // its write, every node has dropped the stale copies or hears so within the broadcast's lease.
  server.addHook('onSend', async (request, reply, payload) => {
    if (SAFE_METHODS.has(request.method) || reply.statusCode >= 400) return payload
    if ((!readCache.enabled && !pageCache.enabled) || !mayChangeWhatReadersSee(request)) return payload
    await contentChanged(request.ctx?.site?.id)
    return payload
  })
  await server.register(typesRoutes, { service: createTypesService() })
  await server.register(fieldGroupsRoutes, { service: createFieldGroupsService() })
  await server.register(entriesRoutes, { service: createEntriesService({ quotas }) })
  await server.register(revisionsRoutes, { service: createRevisionsService() })
  registerContentJobs(jobs, {
    orm: engine.orm,
    trashRetentionDays: config.trashRetentionDays,
    onChange: (siteId) => void contentChanged(siteId),
  })
  await server.register(workflowRoutes, { service: createWorkflowService({ jobs }) })
  await server.register(taxonomyRoutes, { service: createTaxonomyService() })
  await server.register(termsRoutes, { service: createTermsService(), entryTerms: createEntryTermsService() })
  await server.register(redirectsRoutes, { service: createRedirectsService() })
  await server.register(relationsRoutes, { service: createRelationsService() })
  await server.register(seriesRoutes, { service: createSeriesService() })
  await server.register(readingRoutes, {
    service: createReadingService({ media: mediaLinker }),
    cache: readCache,
    passwordLimits: { perClient: config.entryPasswordRateLimit, perEntry: config.entryPasswordFailLimit },
  })

  // Public sites: every other GET on a site's host, and the main site's pages on the root host.
  // Installed themes load from the database on each node; a site whose theme cannot be loaded gets the
  // default theme, and its admins see why in the theme's render errors.
  const recordRenderError = createRenderErrorRecorder({ orm: engine.orm })
  const themes = createThemeRegistry({
    installed: (id) => readInstalledThemeFiles(engine.orm, id),
    onFallback: (fallback) =>
      void recordRenderError({
        site: { id: fallback.siteId, slug: '', name: '' },
        path: fallback.path,
        requestId: fallback.requestId,
        fallback,
        log: server.log,
      }),
  })
  const siteTheme = createSiteThemeService({ registry: themes })
  await server.register(themeAdminRoutes, {
    themes: createThemesService({ registry: themes }),
    siteTheme,
  })
  // Menus are placed at the locations the site's theme declares.
  await server.register(menusRoutes, {
    service: createMenusService({ locationsOf: (ctx, tx) => siteTheme.menuLocations(ctx, tx) }),
  })
  let mainSite: SiteRef | undefined
  const findMain = async () => (mainSite ??= await findMainSite(engine.orm))
  // Preview links hand out the site's canonical address; pages open them.
  const previews = createPreviewsService({
    reading: createReadingService({ media: mediaLinker }),
    originOf: (ctx) => pages.originOf(ctx),
  })
  // Canonical URLs: the configured public URL, else the root domain on this node's port.
  const networkUrl = config.publicUrl ?? `http://${config.rootDomain}${config.port ? `:${config.port}` : ''}`
  const pages = createPagesService({
    orm: engine.orm,
    box,
    previews,
    reading: createReadingService({ media: mediaLinker }),
    themes,
    publicUrl: networkUrl,
  })
  // Browsers sign in on the root host; sites on hosts of their own get a session by the handoff.
  await server.register(siteSigninRoutes, {
    service: createSiteSigninService({ auth }),
    auth,
    totp,
    rootOrigin: new URL(networkUrl).origin,
    siteOriginOf: (siteId) => pages.originOfSite(siteId, server.log),
    clientLimit,
    accountLimit: config.authAccountRateLimit,
  })
  await server.register(previewsRoutes, { service: previews })
  await server.register(passwordRoutes, {
    service: pages,
    mainSite: findMain,
    passwordLimits: { perClient: config.entryPasswordRateLimit, perEntry: config.entryPasswordFailLimit },
  })
  await server.register(publicMediaRoutes, { media: publicMedia, mainSite: findMain })
  await server.register(pagesRoutes, {
    service: pages,
    mainSite: findMain,
    recordRenderError,
    readerCapabilities: (request, siteId) => authentication.readerCapabilities(request, siteId),
    cache: pageCache,
    caching: {
      sharedMaxAge: config.pageCacheSharedMaxAge,
      staleWhileRevalidate: config.pageCacheStaleWhileRevalidate,
    },
  })

  const resealSecrets = () => resealStoredSecrets({ orm: engine.orm, box, log: server.log })

  async function runMaintenance(now = new Date()): Promise<void> {
    const state = await setup.systemState()
    if (state.setup !== 'ready' || !state.schema.current) return
    const ctx = asSystem({
      orm: engine.orm,
      reason: 'purge sites past their deletion grace period',
      log: server.log,
    })
    const purged = await purgeDeletedSites(ctx, now)
    if (purged.length > 0) {
      server.log.info({ purged: purged.map((p) => p.slug) }, 'deleted sites purged')
      // Their media objects go too, from every provider, by a job that retries if storage is down.
      for (const site of purged)
        await jobs.send(
          ctx,
          MEDIA_PURGE_SITE_QUEUE,
          { siteId: site.id },
          { singletonKey: `purge:${site.id}` },
        )
      // A whole site's rows went at once: fresh statistics before the next plans are made (analyze.ts).
      await analyzeTables(engine)
    }
    // Legacy clear 2FA secrets (from before encryption) and values under a retired key.
    await resealSecrets()
  }
  // Housekeeping has no timer of its own: the jobs platform is the one background scheduler.
  jobs.define(MAINTENANCE_QUEUE, () => runMaintenance())
  jobs.every(MAINTENANCE_QUEUE, '7 * * * *')
  async function queueMaintenance(): Promise<void> {
    const ctx = asSystem({ orm: engine.orm, reason: 'maintenance at start', log: server.log })
    await jobs.send(ctx, MAINTENANCE_QUEUE, {}, { singletonKey: 'maintenance' })
  }

  return { server, setup, mailer, routes, runMaintenance, queueMaintenance, resealSecrets, jobs, bus, redis }
}
