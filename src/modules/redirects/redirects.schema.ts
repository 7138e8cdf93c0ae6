import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'

const Timestamp = Type.String({ format: 'date-time' })
const StatusCode = Type.Union([Type.Literal(301), Type.Literal(302), Type.Literal(307), Type.Literal(308)], {
  description:
    'HTTP status of the redirect: 301 (moved permanently, the default), 308 (permanent, keeps the method), 302 or 307 (temporary).',
})
const FromPath = Type.String({
  minLength: 1,
  maxLength: 6000,
  description:
    'The path on this site that redirects, starting with `/`: no scheme or host, no query string or fragment, no `.` or `..` segments, at most 2000 characters. Stored normalised (percent-escapes of unreserved characters decoded, other escapes in upper case, spaces and non-ASCII characters percent-encoded).',
})
const ToPath = Type.String({
  minLength: 1,
  maxLength: 6000,
  description:
    'Where it leads: a path on this site starting with `/` (a query string and fragment are allowed) or an absolute `http`/`https` URL. Other schemes (`javascript:`, `data:` …), protocol-relative `//host` targets and credentials in URLs are refused. Stored normalised.',
})
const Note = Type.String({ maxLength: 1000, description: 'Why the redirect exists (for editors).' })

export const RedirectView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  fromPath: Type.String({ description: 'The normalised source path.' }),
  toPath: Type.String({ description: 'The normalised target path or URL.' }),
  statusCode: StatusCode,
  isAutomatic: Type.Boolean({
    description:
      'True for redirects Colophon created when a published entry’s path changed; editing either path by hand makes it manual.',
  }),
  entryId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The entry whose path change created an automatic redirect.',
  }),
  note: Type.String(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})

export const RedirectPage = Type.Object({
  items: Type.Array(RedirectView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const CreateRedirectBody = Type.Object(
  {
    fromPath: FromPath,
    toPath: ToPath,
    statusCode: Type.Optional(StatusCode),
    note: Type.Optional(Note),
  },
  { additionalProperties: false },
)
export type CreateRedirectBody = Static<typeof CreateRedirectBody>

export const UpdateRedirectBody = Type.Object(
  {
    fromPath: Type.Optional(FromPath),
    toPath: Type.Optional(ToPath),
    statusCode: Type.Optional(StatusCode),
    note: Type.Optional(Note),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateRedirectBody = Static<typeof UpdateRedirectBody>

export const ListRedirectsQuery = Type.Object(
  {
    ...pageQuery(),
    kind: Type.Optional(
      Type.Union([Type.Literal('automatic'), Type.Literal('manual')], {
        description: 'Only automatic (entry path changes) or only manual redirects.',
      }),
    ),
    search: Type.Optional(
      Type.String({
        maxLength: 200,
        description: 'Case-insensitive text found in the source or the target path.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ListRedirectsQuery = Static<typeof ListRedirectsQuery>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const RedirectParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The redirect id.' }),
})
