import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'
import { JOB_STATES, RUN_STATUSES } from '../../platform/jobs/index.ts'

const Timestamp = Type.String({ format: 'date-time' })
const literals = <T extends string>(values: readonly T[]) => values.map((v) => Type.Literal(v))

export const JobStateSchema = Type.Union(literals(JOB_STATES), {
  description:
    '`queued` (waiting, possibly for its start time), `active` (an attempt is running), `retrying` (an attempt failed; the next one waits out its backoff), `completed`, `cancelled`, `dead` (every attempt failed; kept for inspection and retry), `failed` (could not run: its site is gone).',
})

export const JobView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  siteId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
    description: 'The site the job works for; null for network jobs.',
  }),
  queue: Type.String({ description: 'What the job does, e.g. `content.publish`.' }),
  state: JobStateSchema,
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'The job’s input.' }),
  actor: Type.Object(
    {
      kind: Type.Union(literals(['user', 'api_key', 'system', 'anonymous'] as const)),
      userId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    },
    { description: 'Who caused the job; it runs with the platform’s rights on their behalf.' },
  ),
  attempts: Type.Integer({ description: 'Attempts made so far.' }),
  maxAttempts: Type.Integer({ description: 'Attempts allowed before the job is dead.' }),
  runAfter: Type.String({ format: 'date-time', description: 'Not started before this time.' }),
  singletonKey: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()], {
    description: 'The error of the latest failed attempt.',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
})

export const JobRunView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  attempt: Type.Integer({ description: '1 for the first attempt.' }),
  status: Type.Union(literals(RUN_STATUSES), {
    description:
      '`running`, `completed`, `failed`, or `timed_out` (ran past its timeout, or its worker stopped).',
  }),
  worker: Type.String({ description: 'The worker process that ran the attempt (host:pid:id).' }),
  startedAt: Timestamp,
  finishedAt: Type.Union([Timestamp, Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
})

export const JobDetail = Type.Object({ ...JobView.properties, runs: Type.Array(JobRunView) })

export const JobPage = Type.Object({
  items: Type.Array(JobView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

const listFilters = {
  queue: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Only this queue.' })),
  state: Type.Optional(JobStateSchema),
  ...pageQuery(),
}

export const ListSiteJobsQuery = Type.Object(listFilters, { additionalProperties: false })
export const ListJobsQuery = Type.Object(
  {
    ...listFilters,
    site: Type.Optional(Type.String({ format: 'uuid', description: 'Only this site’s jobs.' })),
  },
  { additionalProperties: false },
)
export type ListJobsInput = Static<typeof ListJobsQuery>

export const QueueHealth = Type.Object({
  queue: Type.String(),
  counts: Type.Record(Type.String(), Type.Integer(), {
    description: 'Jobs per state (states with none are left out).',
  }),
  oldestWaitingSeconds: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'Age of the oldest job that is due but not started (queued or retrying); null when none waits.',
  }),
  failuresLastHour: Type.Integer({ description: 'Failed or timed-out attempts in the last hour.' }),
})

export const JobsHealth = Type.Object({ queues: Type.Array(QueueHealth) })

export const JobParams = Type.Object({ id: Type.String({ format: 'uuid', description: 'The job id.' }) })
export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
})
export const SiteJobParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 100, description: 'The site id or slug.' }),
  id: Type.String({ format: 'uuid', description: 'The job id.' }),
})
