import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'

const Timestamp = Type.String({ format: 'date-time' })

export const DomainView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  siteId: Type.String({ format: 'uuid' }),
  host: Type.String({
    description: 'Lower case, without port or trailing dot; international names in `xn--` form.',
  }),
  kind: Type.Union([Type.Literal('subdomain'), Type.Literal('custom')], {
    description:
      '`subdomain`: `<label>.<root domain>`, served at once. `custom`: any other name, served once verified.',
  }),
  isPrimary: Type.Boolean({ description: 'The host links and redirects use; one per site.' }),
  verificationState: Type.Union([Type.Literal('pending'), Type.Literal('verified'), Type.Literal('failed')], {
    description:
      'Only `verified` host names serve the site. `failed`: the last check found no matching record.',
  }),
  verification: Type.Union(
    [
      Type.Object({
        record: Type.String({ description: 'The DNS name to publish a TXT record at: `_colophon.<host>`.' }),
        value: Type.String({ description: 'The TXT record value: `colophon-verify=<token>`.' }),
      }),
      Type.Null(),
    ],
    { description: 'What to publish in DNS before verifying; null once verified.' },
  ),
  verifiedAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
})

export const DomainPage = Type.Object({
  items: Type.Array(DomainView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const AddDomainBody = Type.Object(
  {
    host: Type.String({
      minLength: 1,
      maxLength: 300,
      description:
        'The host name, e.g. `blog.example.com`. Case, a port and a trailing dot are ignored; it must be a DNS name of at most 253 characters.',
    }),
    kind: Type.Optional(
      Type.Union([Type.Literal('custom'), Type.Literal('subdomain')], {
        default: 'custom',
        description: '`subdomain` for `<label>.<root domain>`; `custom` (the default) for any other name.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type AddDomainInput = Static<typeof AddDomainBody>

export const ListDomainsQuery = Type.Object(
  {
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type ListDomainsInput = Static<typeof ListDomainsQuery>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const DomainParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The host name id.' }),
})
