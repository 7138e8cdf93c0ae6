import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core'
import type { AnyPgColumn } from 'drizzle-orm/pg-core'
import { created, siteRef, updated } from './columns.ts'
import { entries } from './content.ts'
import { users } from './users.ts'

/**
 * The folders of a site's media library (row-level security, see migration 0017): a tree, names unique
 * among siblings whatever their case. A folder that holds items or folders cannot be deleted (the items
 * are moved first), so the restrict keys never cascade into the library.
 */
export const mediaFolders = pgTable(
  'media_folders',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    parentId: uuid('parent_id').references((): AnyPgColumn => mediaFolders.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    uniqueIndex('media_folders_name_key').on(
      t.siteId,
      sql`coalesce(${t.parentId}, '00000000-0000-0000-0000-000000000000'::uuid)`,
      sql`lower(${t.name})`,
    ),
    index('media_folders_parent_idx').on(t.siteId, t.parentId),
    check('media_folders_not_self_check', sql`${t.parentId} is null or ${t.parentId} <> ${t.id}`),
  ],
)

/**
 * Media items of a site (row-level security, see migration 0015): one uploaded file each, its bytes in the
 * object store under `storage_key` (which begins with the site id), its type decided from the bytes, and
 * what editors say of it (title, alt text, caption, credit, focal point). `idempotency_key` makes a
 * retried upload find the item its first attempt created.
 */
export const media = pgTable(
  'media',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    uploaderId: uuid('uploader_id').references(() => users.id, { onDelete: 'set null' }),
    storageKey: text('storage_key').notNull(),
    filename: text('filename').notNull(),
    mimeType: text('mime_type').notNull(),
    category: text('category').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    width: integer('width'),
    height: integer('height'),
    title: text('title').notNull().default(''),
    alt: text('alt').notNull().default(''),
    caption: text('caption').notNull().default(''),
    credit: text('credit').notNull().default(''),
    decorative: boolean('decorative').notNull().default(false),
    focalX: real('focal_x'),
    focalY: real('focal_y'),
    idempotencyKey: text('idempotency_key'),
    /** The library folder the item is filed in; null for the top of the library. */
    folderId: uuid('folder_id').references(() => mediaFolders.id, { onDelete: 'restrict' }),
    /** Image work (the variants job): `none` for files that need none, else `pending`, `ready`, `failed`. */
    processing: text('processing').notNull().default('none'),
    /** The cleaned original (orientation applied, metadata removed) readers are given, once made. */
    cleanKey: text('clean_key'),
    dominantColor: text('dominant_color'),
    /** A ThumbHash of the image (base64): a tiny blurred preview shown while it loads. */
    thumbhash: text('thumbhash'),
    createdAt: created(),
    updatedAt: updated(),
  },
  (t) => [
    index('media_site_idx').on(t.siteId, t.id),
    index('media_site_uploader_idx').on(t.siteId, t.uploaderId),
    index('media_site_folder_idx').on(t.siteId, t.folderId, t.id),
    uniqueIndex('media_storage_key').on(t.storageKey),
    uniqueIndex('media_idempotency_key')
      .on(t.siteId, t.uploaderId, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    check('media_processing_check', sql`${t.processing} in ('none', 'pending', 'ready', 'failed')`),
    check(
      'media_category_check',
      sql`${t.category} in ('image', 'pdf', 'audio', 'video', 'document', 'svg')`,
    ),
    check(
      'media_focal_check',
      sql`(${t.focalX} is null and ${t.focalY} is null) or (${t.focalX} between 0 and 1 and ${t.focalY} between 0 and 1)`,
    ),
  ],
)

/**
 * The resized copies of an image media item (row-level security, see migration 0016), made by the
 * `media.process` job: one per width and format, at a key derived from both, so a job run again overwrites
 * the same objects.
 */
export const mediaVariants = pgTable(
  'media_variants',
  {
    id: uuid('id').primaryKey(),
    siteId: siteRef(),
    mediaId: uuid('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'cascade' }),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    format: text('format').notNull(),
    /** `none` for the whole picture resized; `square` for a 1:1 crop around the focal point. */
    crop: text('crop').notNull().default('none'),
    storageKey: text('storage_key').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    createdAt: created(),
  },
  (t) => [
    uniqueIndex('media_variants_media_key').on(t.siteId, t.mediaId, t.crop, t.width, t.format),
    uniqueIndex('media_variants_storage_key').on(t.storageKey),
    check('media_variants_format_check', sql`${t.format} in ('avif', 'webp', 'jpeg', 'png', 'gif')`),
    check('media_variants_crop_check', sql`${t.crop} in ('none', 'square')`),
  ],
)

/**
 * Which media items an entry shows (row-level security, see migration 0017), kept by the content module
 * in the transaction of every write: one row per item, way (`featured` image, a `field`, an image in the
 * `body`) and scope — `live` for the entry's columns (what readers see once it is published), `head` for
 * its latest revision (a draft of a live entry may show other images). The media library reads it for
 * usage, for the in-use check before a delete, and to decide which items readers may fetch without a
 * signed URL (those shown live by a published public entry).
 */
export const entryMedia = pgTable(
  'entry_media',
  {
    siteId: siteRef(),
    entryId: uuid('entry_id')
      .notNull()
      .references(() => entries.id, { onDelete: 'cascade' }),
    mediaId: uuid('media_id')
      .notNull()
      .references(() => media.id, { onDelete: 'cascade' }),
    via: text('via').notNull(),
    scope: text('scope').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.entryId, t.scope, t.mediaId, t.via] }),
    index('entry_media_media_idx').on(t.siteId, t.mediaId),
    check('entry_media_via_check', sql`${t.via} in ('featured', 'field', 'body')`),
    check('entry_media_scope_check', sql`${t.scope} in ('live', 'head')`),
  ],
)
