import Type, { type Static } from 'typebox'

const ApiCallsPerMinute = Type.Integer({ minimum: 1, maximum: 1_000_000 })
const EntriesQuota = Type.Integer({ minimum: 0, maximum: 100_000_000 })
const MediaBytesQuota = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

export const QuotasView = Type.Object({
  apiCallsPerMinute: Type.Object({
    limit: { ...ApiCallsPerMinute, description: 'Requests the site’s API answers per minute.' },
    isDefault: Type.Boolean({ description: 'True when the site follows the network default.' }),
  }),
  entriesQuota: Type.Object({
    limit: { ...EntriesQuota, description: 'Entries the site may hold; 0 means no limit.' },
    isDefault: Type.Boolean({ description: 'True when the site follows the network default.' }),
  }),
  mediaBytesQuota: Type.Object({
    limit: { ...MediaBytesQuota, description: 'Bytes of media the site may hold; 0 means no limit.' },
    isDefault: Type.Boolean({ description: 'True when the site follows the network default.' }),
  }),
})
export type QuotasViewData = Static<typeof QuotasView>

export const PatchQuotasBody = Type.Object(
  {
    apiCallsPerMinute: Type.Optional(
      Type.Union([ApiCallsPerMinute, Type.Null()], {
        description:
          'Requests per minute on the site’s API (1–1000000); null returns to the network default.',
      }),
    ),
    entriesQuota: Type.Optional(
      Type.Union([EntriesQuota, Type.Null()], {
        description: 'Entries the site may hold (0 means no limit); null returns to the network default.',
      }),
    ),
    mediaBytesQuota: Type.Optional(
      Type.Union([MediaBytesQuota, Type.Null()], {
        description:
          'Bytes of media files the site may hold (0 means no limit); null returns to the network default.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PatchQuotasInput = Static<typeof PatchQuotasBody>

export const QuotaSiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 63, description: 'The site id or slug.' }),
})
