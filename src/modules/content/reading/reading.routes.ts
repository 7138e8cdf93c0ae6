import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PUBLIC, cacheKeyOf, createLimiter, type ResponseCache } from '../../../platform/http/index.ts'
import {
  ListEntriesQuery,
  ReadEntryQuery,
  ReadingEntryParams,
  ReadingEntrySchema,
  ReadingPageSchema,
  ReadingSiteParams,
  type ListEntriesInput,
  type ReadEntryInput,
} from './reading.schema.ts'
import { ReadingErrors } from './reading.errors.ts'
import type { PasswordGuard, ReadingService } from './reading.service.ts'

export interface ReadingRoutesOptions {
  service: ReadingService
  /** Replies to anonymous readers, reused for a few seconds (see platform/http response-cache). */
  cache?: ResponseCache
  /** Entry password attempts per client address, and wrong ones per entry, per 15 minutes. */
  passwordLimits: { perClient: number; perEntry: number }
}

const PASSWORD_HEADER = 'x-entry-password'
const PASSWORD_WINDOW_MS = 15 * 60 * 1000

/**
 * Password guards on the platform's rate-limit store (shared by every node when the store is). Every
 * attempt counts against the client; only wrong ones count against the entry, so its real readers do not
 * use up its allowance, yet a password cannot be guessed from many addresses at once. The API and the
 * public sites' password form count against the same limits: a guess is a guess, whatever the door.
 */
export function entryPasswordGuards(app: FastifyInstance, limits: ReadingRoutesOptions['passwordLimits']) {
  const exceeded = ({ retryAfterSeconds }: { retryAfterSeconds: number }) =>
    ReadingErrors.passwordThrottled({ details: { retryAfterSeconds } })
  const entries = new WeakMap<FastifyRequest, string>()
  const perClient = createLimiter(app, {
    name: 'entry-password-client',
    max: limits.perClient,
    timeWindow: PASSWORD_WINDOW_MS,
    key: (request) => request.ip,
    exceeded,
  })
  const perEntry = createLimiter(app, {
    name: 'entry-password-entry',
    max: limits.perEntry,
    timeWindow: PASSWORD_WINDOW_MS,
    key: (request) => entries.get(request) ?? null,
    exceeded,
  })
  return (
    request: FastifyRequest,
    reply: FastifyReply,
    entry: { siteId: string; entryId: string },
  ): PasswordGuard => {
    entries.set(request, `${entry.siteId}:${entry.entryId.toLowerCase()}`)
    return {
      async admit() {
        await perEntry.peek(request, reply)
        await perClient(request, reply)
      },
      refused: () => perEntry(request, reply),
    }
  }
}

/**
 * Anonymous replies are the same for every reader, so shared caches may keep them (revalidating through
 * the ETag); anything answered with credentials or an entry password is for that caller alone.
 */
function isShared(request: FastifyRequest): boolean {
  return request.ctx.actor.kind === 'anonymous' && request.headers[PASSWORD_HEADER] === undefined
}

function setCaching(request: FastifyRequest, reply: FastifyReply): void {
  const shared = isShared(request)
  reply.header('cache-control', shared ? 'public, max-age=0, must-revalidate' : 'private, no-store')
  reply.header('vary', 'Cookie, Authorization, X-Entry-Password')
}

export async function readingRoutes(
  app: FastifyInstance,
  { service, cache, passwordLimits }: ReadingRoutesOptions,
): Promise<void> {
  const guardFor = entryPasswordGuards(app, passwordLimits)

  /**
   * Answers from the cache when the reply is the same for every anonymous reader; otherwise (or on a
   * miss) produces it. Only successful replies are kept: errors are thrown before anything is stored.
   */
  async function reply200(
    request: FastifyRequest,
    reply: FastifyReply,
    produce: () => Promise<unknown>,
  ): Promise<unknown> {
    setCaching(request, reply)
    const site = request.ctx.site
    if (!cache?.enabled || !site || !isShared(request)) return produce()
    // Keyed on the route and the validated parameters: order and defaults in the URL do not matter.
    const { site: _site, ...params } = request.params as Record<string, unknown>
    const key = cacheKeyOf(
      request.routeOptions.url ?? request.url,
      params,
      request.query as Record<string, unknown>,
    )
    const { body, etag, outcome } = await cache.fetch(site.id, key, async () => {
      const serialised = reply.serialize(await produce())
      return typeof serialised === 'string' ? serialised : undefined
    })
    reply.type('application/json; charset=utf-8')
    // Kept replies carry their tag; the ETag hook computes the others'.
    if (etag !== undefined) reply.header('etag', etag)
    return reply.header('x-colophon-cache', outcome).send(body)
  }

  app.get<{ Params: { site: string }; Querystring: ListEntriesInput }>(
    '/api/v1/sites/:site/entries',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['content'],
        summary: 'List entries',
        description:
          'Entries of the site, newest published first, a page at a time (`cursor`, `limit` ≤ 100; a cursor costs the same at any depth). Each entry is a summary unless `fields` asks for more (see `fields`). Everyone gets published public entries of active or archived sites; `site.content.read.private` adds published private entries, `site.content.read.drafts` every other status (`status`, default all but `trash`). Filter by `type`, `status`, `term`, `author`, `parent`, `publishedAfter`/`publishedBefore`, `search` (title) and `slug`; choose fields with `fields` and expand `include=author,terms,parent`, all in one database query. Supports `If-None-Match` (304).',
        params: ReadingSiteParams,
        querystring: ListEntriesQuery,
        response: { 200: ReadingPageSchema },
      },
    },
    async (request, reply) => reply200(request, reply, () => service.list(request.ctx, request.query)),
  )

  app.get<{ Params: { site: string; id: string }; Querystring: ReadEntryInput }>(
    '/api/v1/sites/:site/entries/:id',
    {
      config: { access: PUBLIC },
      schema: {
        tags: ['content'],
        summary: 'Read an entry',
        description:
          'One entry. Readers get it only when published and public, or private with `site.content.read.private`, or unpublished with `site.content.read.drafts` (404 otherwise). A password-protected entry needs its password in the `X-Entry-Password` header (403 COLOPHON_CONTENT_ENTRY_PROTECTED without the right one) unless the caller holds both; password attempts are limited per client and per entry (429 COLOPHON_CONTENT_ENTRY_PASSWORD_THROTTLED with Retry-After). Holders of `site.content.read.drafts` also get the revision pointers. `fields` and `include` work as on the list. Supports `If-None-Match` (304).',
        params: ReadingEntryParams,
        querystring: ReadEntryQuery,
        response: { 200: ReadingEntrySchema },
      },
    },
    async (request, reply) => {
      const text = request.headers[PASSWORD_HEADER]
      const password =
        typeof text === 'string'
          ? {
              text,
              guard: guardFor(request, reply, {
                siteId: request.ctx.site?.id ?? '',
                entryId: request.params.id,
              }),
            }
          : undefined
      return reply200(request, reply, () =>
        service.get(request.ctx, request.params.id, { ...request.query, password }),
      )
    },
  )
}
