import swagger, { type SwaggerTransformObject } from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { PUBLIC, type RouteAccess } from './access.ts'

/**
 * The OpenAPI document is generated from the route schemas (TypeBox), so it cannot drift from what the
 * server validates. Served at /api/v1/openapi.json, browsable with Swagger UI at /api/docs.
 *
 * Two things no route has to remember are added on the way out:
 * - who may call each operation, from its access declaration (`config.access`): `security` (none for a
 *   public route; the session cookie, with the CSRF header on writes, or an API key as bearer token;
 *   the cookie alone for `sessionOnly`) and `x-colophon-capability` naming the capability it needs;
 * - a stable `operationId` derived from method and path (`getSitesEntriesById`), so generated clients
 *   get readable, unique names; and the error envelope as the `4XX`/`5XX` responses.
 */
export interface OpenApiOptions {
  version: string
  /** Name of the session cookie (the auth module owns it). */
  sessionCookie: string
  /** Header carrying the CSRF token on cookie-authenticated writes. */
  csrfHeader: string
}

type SecurityRequirement = Record<string, string[]>
type Operation = { operationId?: string; responses?: Record<string, unknown> } & Record<string, unknown>
type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation> | undefined>
  components?: Record<string, unknown>
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'])

/** Security requirements for an access declaration: alternatives, any one of which is enough. */
export function securityFor(access: RouteAccess, method: string): SecurityRequirement[] {
  if (access.kind === 'public') return []
  const session: SecurityRequirement = SAFE_METHODS.has(method.toUpperCase())
    ? { sessionCookie: [] }
    : { sessionCookie: [], csrfToken: [] }
  return access.sessionOnly ? [session] : [session, { apiKey: [] }]
}

function pascal(segment: string): string {
  return segment
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('')
}

/**
 * `get /api/v1/sites/{site}/entries/{id}` → `getSitesEntriesById`: the method, then each literal
 * segment; a parameter shows (`By…`) when it ends the path, or everywhere when `allParams` is set (used
 * only when the short form of two operations would be the same).
 */
export function operationIdFor(method: string, path: string, allParams = false): string {
  const segments = path
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
  const words = segments.map((segment, i) => {
    const param = /^\{(.+)\}$/.exec(segment)
    if (!param) return pascal(segment)
    return allParams || i === segments.length - 1 ? `By${pascal(param[1] as string)}` : ''
  })
  return method.toLowerCase() + words.join('')
}

function operationsOf(doc: OpenApiDocument): { method: string; path: string; op: Operation }[] {
  const out: { method: string; path: string; op: Operation }[] = []
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      if (HTTP_METHODS.has(method)) out.push({ method, path, op })
    }
  }
  return out
}

/** Gives every operation without one a unique operationId; the long form settles short-form clashes. */
function nameOperations(doc: OpenApiDocument): void {
  const pending = operationsOf(doc).filter(({ op }) => !op.operationId)
  const taken = new Map<string, number>()
  for (const { op } of operationsOf(doc)) if (op.operationId) taken.set(op.operationId, 2)
  for (const { method, path } of pending) {
    const id = operationIdFor(method, path)
    taken.set(id, (taken.get(id) ?? 0) + 1)
  }
  for (const { method, path, op } of pending) {
    const short = operationIdFor(method, path)
    op.operationId = (taken.get(short) ?? 0) > 1 ? operationIdFor(method, path, true) : short
  }
}

const ERROR_ENVELOPE = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: {
          type: 'string',
          pattern: '^COLOPHON_[A-Z0-9_]+$',
          description: 'Stable code, see docs/errors.md.',
        },
        message: { type: 'string' },
        details: { description: 'Present when there is something useful to add (e.g. failing fields).' },
        requestId: { type: 'string', description: 'Equals the x-request-id header and the log lines.' },
      },
    },
  },
}

function addErrorResponses(doc: OpenApiDocument): void {
  const components = (doc.components ??= {}) as {
    schemas?: Record<string, unknown>
    responses?: Record<string, unknown>
  }
  components.schemas = { ...components.schemas, ErrorEnvelope: ERROR_ENVELOPE }
  components.responses = {
    ...components.responses,
    Error: {
      description: 'The error envelope, with a stable code.',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
    },
  }
  for (const { op } of operationsOf(doc)) {
    const responses = (op.responses ??= {})
    for (const range of ['4XX', '5XX']) {
      const digit = range.charAt(0)
      if (!Object.keys(responses).some((status) => status.startsWith(digit)))
        responses[range] = { $ref: '#/components/responses/Error' }
    }
  }
}

export async function registerOpenApi(app: FastifyInstance, options: OpenApiOptions): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Colophon API',
        version: options.version,
        description:
          'The REST API of Colophon, a multi-site content management system. Every error has the shape `{ error: { code, message, details?, requestId } }`; codes are listed in docs/errors.md.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      // Relative: the document describes whichever host serves it (the network's root host or a site's).
      servers: [{ url: '/' }],
      tags: [
        { name: 'setup', description: 'Installation state, first-run setup and database updates.' },
        { name: 'operations', description: 'Health, readiness and metrics for operators.' },
      ],
      components: {
        securitySchemes: {
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: options.sessionCookie,
            description: 'The session opened by POST /api/v1/auth/login.',
          },
          csrfToken: {
            type: 'apiKey',
            in: 'header',
            name: options.csrfHeader,
            description:
              'Sent with every write made with the session cookie: the token from the login reply.',
          },
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key, `colophon_…`, created with POST /api/v1/api-keys.',
          },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      const access = (route.config as { access?: RouteAccess } | undefined)?.access ?? PUBLIC
      const method = [route.method].flat()[0] ?? 'GET'
      const documented: Record<string, unknown> = { ...(schema ?? {}), security: securityFor(access, method) }
      if (access.kind === 'capability') documented['x-colophon-capability'] = access.capability
      return { schema: documented as typeof schema, url }
    },
    transformObject: (documentObject) => {
      const doc = ('openapiObject' in documentObject ? documentObject.openapiObject : {}) as OpenApiDocument
      nameOperations(doc)
      addErrorResponses(doc)
      return doc as ReturnType<SwaggerTransformObject>
    },
  })
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true })
  app.get('/api/v1/openapi.json', { config: { access: PUBLIC }, schema: { hide: true } }, async () =>
    app.swagger(),
  )
}
