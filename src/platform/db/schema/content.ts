import { sql } from 'drizzle-orm'
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core'
import { created, siteRef, updated } from './columns.ts'
import { users } from './users.ts'

/**
 * Site tables of the content core (row-level security on each, see migration 0004). Every content type,
 * built in or custom, is a `content_types` row: `post` and `page` are seeded for every site by a trigger
 * on `sites`, so no code path special-cases them.
 */

/** Reusable sets of field definitions that several types include by key (R30). */
export const fieldGroups = pgTable(
  'field_groups',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    fields: jsonb('fields').notNull().default([]),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('field_groups_site_key').on(t.siteId, t.key)],
)

/**
 * A content type: its typed fields (`fields`, plus the groups it includes), whether entries nest
 * (`hierarchical`), the permalink template public paths and automatic redirects use, and the number of
 * approvals by others a publish needs. `retired_fields` keeps the keys removed from the schema whose stored
 * values stay until an explicit purge.
 */
export const contentTypes = pgTable(
  'content_types',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    pluralName: text('plural_name').notNull(),
    description: text('description').notNull().default(''),
    isBuiltin: boolean('is_builtin').notNull().default(false),
    hierarchical: boolean('hierarchical').notNull().default(false),
    permalink: text('permalink').notNull(),
    fields: jsonb('fields').notNull().default([]),
    fieldGroups: text('field_groups')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    retiredFields: text('retired_fields')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    approvalsRequired: integer('approvals_required').notNull().default(0),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('content_types_site_key').on(t.siteId, t.key),
    check('content_types_approvals_check', sql`${t.approvalsRequired} between 0 and 10`),
  ],
)

/**
 * An entry of any type. Its content columns hold what the site shows (the published revision) once it
 * has been published, and the working copy before that; `head_revision_id` is the latest saved revision,
 * so `head_revision_id <> published_revision_id` means unpublished changes wait in a draft revision.
 */
export const entries = pgTable(
  'entries',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    typeId: uuid('type_id')
      .notNull()
      .references(() => contentTypes.id, { onDelete: 'restrict' }),
    status: text('status').notNull().default('draft'),
    slug: text('slug').notNull(),
    title: text('title').notNull().default(''),
    excerpt: text('excerpt').notNull().default(''),
    body: jsonb('body'),
    bodyHtml: text('body_html').notNull().default(''),
    fields: jsonb('fields').notNull().default({}),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    parentId: uuid('parent_id').references((): AnyPgColumn => entries.id, { onDelete: 'set null' }),
    featuredMediaId: uuid('featured_media_id'),
    seo: jsonb('seo').notNull().default({}),
    visibility: text('visibility').notNull().default('public'),
    passwordHash: text('password_hash'),
    publishedRevisionId: uuid('published_revision_id'),
    headRevisionId: uuid('head_revision_id'),
    publishAt: timestamp('publish_at', { withTimezone: true }),
    unpublishAt: timestamp('unpublish_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    trashedAt: timestamp('trashed_at', { withTimezone: true }),
    statusBeforeTrash: text('status_before_trash'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('entries_slug_key')
      .on(t.siteId, t.typeId, t.slug)
      .where(sql`${t.trashedAt} is null`),
    index('entries_list_idx').on(t.siteId, t.status, t.publishedAt.desc(), t.id.desc()),
    index('entries_type_list_idx').on(t.siteId, t.typeId, t.status, t.publishedAt.desc(), t.id.desc()),
    // One per offered sort across every status (editors' lists): keyset pages are index bounds at any
    // depth. Every key is DESC NULLS LAST like entries_list_idx; backward scans serve the ascending sorts
    // (ASC NULLS FIRST), and reading.repo.ts orders each keyset branch to match.
    index('entries_site_published_idx').on(t.siteId, t.publishedAt.desc(), t.id.desc()),
    index('entries_site_created_idx').on(t.siteId, t.createdAt.desc(), t.id.desc()),
    index('entries_site_updated_idx').on(t.siteId, t.updatedAt.desc(), t.id.desc()),
    index('entries_site_title_idx').on(t.siteId, t.title.desc(), t.id.desc()),
    index('entries_author_idx').on(t.siteId, t.authorId),
    index('entries_parent_idx').on(t.parentId),
    index('entries_publish_due_idx')
      .on(t.publishAt)
      .where(sql`${t.status} = 'scheduled'`),
    index('entries_unpublish_due_idx')
      .on(t.unpublishAt)
      .where(sql`${t.unpublishAt} is not null`),
    check(
      'entries_status_check',
      sql`${t.status} in ('draft', 'pending', 'scheduled', 'published', 'unpublished', 'archived', 'trash')`,
    ),
    check('entries_visibility_check', sql`${t.visibility} in ('public', 'private', 'password')`),
    check('entries_not_own_parent_check', sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
  ],
)

/**
 * Every save of an entry: a full snapshot of its editable content. `kind` is `save`, `restore` or
 * `autosave`; each user has at most one autosave revision per entry, overwritten in place.
 */
export const revisions = pgTable(
  'revisions',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    authorId: uuid('author_id').references(() => users.id, { onDelete: 'set null' }),
    kind: text('kind').notNull().default('save'),
    snapshot: jsonb('snapshot').notNull(),
    restoredFrom: uuid('restored_from'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    index('revisions_entry_idx').on(t.entryId, t.id),
    uniqueIndex('revisions_one_autosave_key')
      .on(t.entryId, t.authorId)
      .where(sql`${t.kind} = 'autosave'`),
    check('revisions_kind_check', sql`${t.kind} in ('save', 'restore', 'autosave')`),
  ],
)

/** The workflow history of an entry: every status change, who made it and why. */
export const entryTransitions = pgTable(
  'entry_transitions',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status').notNull(),
    toStatus: text('to_status').notNull(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    actorKind: text('actor_kind').notNull().default('user'),
    revisionId: uuid('revision_id'),
    note: text('note').notNull().default(''),
    createdAt: created(),
  },
  (t) => [index('entry_transitions_entry_idx').on(t.entryId, t.id)],
)

/** Approvals of an entry's revision by users other than its author (types with `approvals_required`). */
export const entryApprovals = pgTable(
  'entry_approvals',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    revisionId: uuid('revision_id').notNull(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    note: text('note').notNull().default(''),
    createdAt: created(),
  },
  (t) => [uniqueIndex('entry_approvals_once_key').on(t.entryId, t.revisionId, t.userId)],
)

/** Typed links between entries of one site (`kind` names the relation, e.g. `related`). */
export const entryRelations = pgTable(
  'entry_relations',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    fromEntryId: uuid('from_entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    toEntryId: uuid('to_entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    position: integer('position').notNull().default(0),
    createdAt: created(),
  },
  (t) => [
    uniqueIndex('entry_relations_once_key').on(t.fromEntryId, t.kind, t.toEntryId),
    index('entry_relations_to_idx').on(t.toEntryId),
    check('entry_relations_not_self_check', sql`${t.fromEntryId} <> ${t.toEntryId}`),
  ],
)

/** An ordered series of entries (a multi-part story, a course). */
export const series = pgTable(
  'series',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('series_site_slug_key').on(t.siteId, t.slug),
    index('series_site_idx').on(t.siteId, t.id),
  ],
)

export const seriesEntries = pgTable(
  'series_entries',
  {
    siteId: siteRef(),
    seriesId: uuid('series_id')
      .notNull()
      .references(() => series.id, { onDelete: 'cascade' }),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.seriesId, t.entryId] }),
    uniqueIndex('series_entries_position_key').on(t.seriesId, t.position),
    index('series_entries_entry_idx').on(t.entryId),
  ],
)

/**
 * Taxonomies of a site: `category` (hierarchical) and `tag` are seeded for posts; administrators add
 * their own. `type_keys` lists the content types whose entries take its terms.
 */
export const taxonomies = pgTable(
  'taxonomies',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    key: text('key').notNull(),
    name: text('name').notNull(),
    pluralName: text('plural_name').notNull(),
    description: text('description').notNull().default(''),
    hierarchical: boolean('hierarchical').notNull().default(false),
    isBuiltin: boolean('is_builtin').notNull().default(false),
    typeKeys: text('type_keys')
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [uniqueIndex('taxonomies_site_key').on(t.siteId, t.key)],
)

export const terms = pgTable(
  'terms',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    taxonomyId: uuid('taxonomy_id')
      .notNull()
      .references(() => taxonomies.id, { onDelete: 'cascade' }),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    parentId: uuid('parent_id').references((): AnyPgColumn => terms.id, { onDelete: 'set null' }),
    meta: jsonb('meta').notNull().default({}),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('terms_taxonomy_slug_key').on(t.taxonomyId, t.slug),
    index('terms_site_idx').on(t.siteId, t.taxonomyId),
    index('terms_parent_idx').on(t.parentId),
    check('terms_not_own_parent_check', sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
  ],
)

/** Terms assigned to entries. Deleting a term removes only these links, never the entries. */
export const entryTerms = pgTable(
  'entry_terms',
  {
    siteId: siteRef(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    termId: uuid('term_id')
      .notNull()
      .references(() => terms.id, { onDelete: 'cascade' }),
    position: integer('position').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.termId] }), index('entry_terms_term_idx').on(t.termId)],
)

/**
 * Redirects of a site's public paths. `is_automatic` rows come from slug or parent changes of published
 * entries (and point at that entry); the others are managed by hand.
 */
export const redirects = pgTable(
  'redirects',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    fromPath: text('from_path').notNull(),
    toPath: text('to_path').notNull(),
    statusCode: integer('status_code').notNull().default(301),
    isAutomatic: boolean('is_automatic').notNull().default(false),
    entryId: uuid('entry_id').references(() => entries.id, { onDelete: 'set null' }),
    note: text('note').notNull().default(''),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('redirects_site_from_key').on(t.siteId, t.fromPath),
    index('redirects_site_to_idx').on(t.siteId, t.toPath),
    index('redirects_site_idx').on(t.siteId, t.id),
    check('redirects_status_check', sql`${t.statusCode} in (301, 302, 307, 308)`),
    check('redirects_not_self_check', sql`${t.fromPath} <> ${t.toPath}`),
  ],
)
