import Type, { type Static } from 'typebox'
import { pageQuery } from '../../../platform/http/index.ts'
import { EntryStatusSchema, EntryViewSchema } from '../entries/index.ts'
import { TARGET_STATUSES } from './workflow.rules.ts'

const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })
const LocalTime = Type.Union([Type.String(), Type.Null()], {
  description: 'The same instant as wall-clock time in the site’s time zone, with its offset.',
})
const Note = Type.String({ maxLength: 1000, description: 'Why (shown in the history).' })

export const EntryParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The entry id.' }),
})

export const StatusBody = Type.Object(
  {
    status: Type.Union(
      TARGET_STATUSES.map((s) => Type.Literal(s)),
      { description: 'The status to move to (`trash`: use DELETE on the entry).' },
    ),
    publishAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'With `scheduled`: when to publish (future, UTC offset given).',
      }),
    ),
    unpublishAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'With `published` or `scheduled`: when to unpublish automatically (future).',
      }),
    ),
    note: Type.Optional(Note),
  },
  { additionalProperties: false },
)
export type StatusInput = Static<typeof StatusBody>

export const ApprovalBody = Type.Object({ note: Type.Optional(Note) }, { additionalProperties: false })
export type ApprovalInput = Static<typeof ApprovalBody>

/** An entry as the workflow returns it: the entry view plus its times in the site's time zone. */
export const WorkflowEntrySchema = Type.Object({
  ...EntryViewSchema.properties,
  timezone: Type.String({ description: 'The site’s IANA time zone the `…Local` times use.' }),
  publishAtLocal: LocalTime,
  unpublishAtLocal: LocalTime,
  publishedAtLocal: LocalTime,
})

export const TransitionView = Type.Object({
  id: Uuid,
  from: EntryStatusSchema,
  to: EntryStatusSchema,
  actor: Type.Object(
    {
      kind: Type.String({ description: '`user`, `api_key`, `system` or `anonymous`.' }),
      id: Type.Union([Uuid, Type.Null()]),
    },
    { description: 'Who made the change (for scheduled changes: the user who scheduled them).' },
  ),
  revisionId: Type.Union([Uuid, Type.Null()], { description: 'The head revision at the time.' }),
  note: Type.String(),
  createdAt: Timestamp,
  createdAtLocal: Type.String({ description: 'In the site’s time zone.' }),
})

export const TransitionPage = Type.Object({
  items: Type.Array(TransitionView),
  nextCursor: Type.Union([Type.String(), Type.Null()], {
    description: 'Pass as `cursor` for the next page.',
  }),
})

export const ListQuery = Type.Object(
  {
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type ListInput = Static<typeof ListQuery>

export const ApprovalView = Type.Object({
  id: Uuid,
  userId: Uuid,
  revisionId: Uuid,
  note: Type.String(),
  createdAt: Timestamp,
})

export const ApprovalsSummary = Type.Object({
  required: Type.Integer({ description: 'Approvals the type asks for before a publish.' }),
  headRevisionId: Type.Union([Uuid, Type.Null()]),
  approvals: Type.Integer({
    description: 'Valid approvals of the head revision (by users other than the author).',
  }),
  missing: Type.Integer({ description: 'How many more a publish needs.' }),
  items: Type.Array(ApprovalView, { description: 'Approvals of the head revision, oldest first.' }),
})
