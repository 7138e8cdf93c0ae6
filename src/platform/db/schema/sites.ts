import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import { users } from './users.ts'

/**
 * Network table: the sites of the network. Exactly one site may be the main site (it answers on the root
 * domain). `settings` holds the site's editable preferences beyond the typed columns; quotas left null
 * follow the network defaults. A deleted site keeps its row until `purge_after`.
 */
export const sites = pgTable(
  'sites',
  {
    id: uuid('id').primaryKey(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    status: text('status').notNull().default('active'),
    isMain: boolean('is_main').notNull().default(false),
    ownerId: uuid('owner_id').references(() => users.id),
    tagline: text('tagline').notNull().default(''),
    locale: text('locale').notNull().default('en'),
    timezone: text('timezone').notNull().default('UTC'),
    settings: jsonb('settings').notNull().default({}),
    /** Set by network admins: ask search engines to stay away (robots.txt disallows all, no sitemaps). */
    discourageIndexing: boolean('discourage_indexing').notNull().default(false),
    entriesQuota: integer('entries_quota'),
    /** Bytes of media the site may hold (null: the network default). */
    mediaBytesQuota: bigint('media_bytes_quota', { mode: 'number' }),
    /** Where the site's media objects live (`local` or `s3`); null: the network's configured storage. */
    mediaStorage: text('media_storage'),
    apiCallsPerMinute: integer('api_calls_per_minute'),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    purgeAfter: timestamp('purge_after', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('sites_slug_key').on(t.slug),
    uniqueIndex('sites_one_main_key')
      .on(t.isMain)
      .where(sql`${t.isMain}`),
    check('sites_status_check', sql`${t.status} in ('active', 'disabled', 'archived', 'deleted')`),
    check('sites_media_storage_check', sql`${t.mediaStorage} in ('local', 's3')`),
  ],
)

/**
 * Network table with a site (row-level security): the host names a site answers on. A `subdomain` is
 * `<label>.<root domain>`; a `custom` domain is verified before it serves. One primary host per site: the
 * one links and redirects use.
 */
export const siteDomains = pgTable(
  'site_domains',
  {
    id: uuid('id').primaryKey(),
    siteId: uuid('site_id')
      .notNull()
      .references(() => sites.id, { onDelete: 'cascade' }),
    host: text('host').notNull(),
    kind: text('kind').notNull(),
    isPrimary: boolean('is_primary').notNull().default(false),
    verificationState: text('verification_state').notNull().default('verified'),
    verificationToken: text('verification_token'),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('site_domains_host_key').on(t.host),
    uniqueIndex('site_domains_one_primary_key')
      .on(t.siteId)
      .where(sql`${t.isPrimary}`),
    index('site_domains_site_idx').on(t.siteId, t.id),
    check('site_domains_kind_check', sql`${t.kind} in ('subdomain', 'custom')`),
    check(
      'site_domains_verification_check',
      sql`${t.verificationState} in ('pending', 'verified', 'failed')`,
    ),
    check('site_domains_host_lower_check', sql`${t.host} = lower(${t.host})`),
  ],
)
