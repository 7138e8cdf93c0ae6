import Type, { type Static } from 'typebox'
import { pageQuery } from '../../../platform/http/index.ts'
import { PREVIEW_DEFAULT_HOURS, PREVIEW_MAX_HOURS } from './previews.service.ts'

export const EntryPreviewsParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The entry id.' }),
})

export const EntryPreviewParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The entry id.' }),
  previewId: Type.String({ format: 'uuid', description: 'The preview link id.' }),
})

export const CreatePreviewBody = Type.Object(
  {
    expiresInHours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: PREVIEW_MAX_HOURS,
        description: `How long the link works, in hours (default ${PREVIEW_DEFAULT_HOURS}, at most ${PREVIEW_MAX_HOURS}).`,
      }),
    ),
  },
  { additionalProperties: false },
)
export type CreatePreviewInput = Static<typeof CreatePreviewBody>

const previewFields = {
  id: Type.String({ format: 'uuid' }),
  entryId: Type.String({ format: 'uuid' }),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.String({ format: 'date-time', description: 'After this the link shows a 404.' }),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
    description: 'When the link was revoked (it then shows a 404), or null.',
  }),
  createdBy: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'Who made the link (null once that user is deleted).',
  }),
}

export const PreviewViewSchema = Type.Object(previewFields)

export const CreatedPreviewSchema = Type.Object({
  ...previewFields,
  token: Type.String({ description: 'The secret of the link. Shown this once: only its hash is kept.' }),
  path: Type.String({ description: 'The link’s path on the site: `/_preview/<token>`.' }),
  url: Type.String({ description: 'The link on the site’s canonical origin, to share.' }),
})

export const PreviewPage = Type.Object({
  items: Type.Array(PreviewViewSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const ListPreviewsQuery = Type.Object({ ...pageQuery() }, { additionalProperties: false })
export type ListPreviewsInput = Static<typeof ListPreviewsQuery>
