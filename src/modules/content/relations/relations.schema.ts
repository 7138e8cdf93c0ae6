import Type, { type Static } from 'typebox'

export const RELATION_KIND_PATTERN = '^[a-z][a-z0-9_-]{0,39}$'
export const MAX_RELATIONS = 100

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})

export const EntryRelationsParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The entry id.' }),
})

/** Another entry as shown beside the one asked for (a relation's other end, a series member). */
export const LinkedEntrySchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String({ description: 'The content type key.' }),
  slug: Type.String(),
  title: Type.String(),
  status: Type.String({ description: 'Readers only ever see `published`.' }),
  publishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})

export const RelationSchema = Type.Object({
  kind: Type.String({ description: 'What the relation means, e.g. `related`, `translation-of`.' }),
  position: Type.Integer({ description: 'Order among the source entry’s relations (0 first).' }),
  entry: LinkedEntrySchema,
})

export const EntryRelationsView = Type.Object({
  outgoing: Type.Array(RelationSchema, {
    description: 'Relations from this entry, in the order they were saved; `entry` is the target.',
  }),
  incoming: Type.Array(RelationSchema, {
    description:
      'Relations from other entries to this one, by kind then oldest first; `entry` is the source.',
  }),
})

export const PutRelationsBody = Type.Object(
  {
    relations: Type.Array(
      Type.Object(
        {
          kind: Type.String({
            pattern: RELATION_KIND_PATTERN,
            description: 'Lower-case letter first, then letters, digits, `_` or `-`; at most 40 characters.',
          }),
          entryId: Type.String({ format: 'uuid', description: 'The related entry, of the same site.' }),
        },
        { additionalProperties: false },
      ),
      { maxItems: MAX_RELATIONS, description: `At most ${MAX_RELATIONS}, in the order to keep.` },
    ),
  },
  { additionalProperties: false },
)
export type PutRelationsInput = Static<typeof PutRelationsBody>
