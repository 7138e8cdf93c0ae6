import Type, { type Static } from 'typebox'
import { pageQuery } from '../../platform/http/index.ts'
import { DEFAULT_SEO_SETTINGS, SeoSettingsObject, type SeoSettings } from './seo-settings.schema.ts'

const Uuid = Type.String({ format: 'uuid' })
const Timestamp = Type.String({ format: 'date-time' })
const NullableTimestamp = Type.Union([Timestamp, Type.Null()])

export const SITE_STATUSES = ['active', 'disabled', 'archived', 'deleted'] as const
const Status = Type.Union(
  SITE_STATUSES.map((s) => Type.Literal(s)),
  {
    description:
      '`active`; `disabled` (readers get 503); `archived` (read-only); `deleted` (waiting for its purge).',
  },
)

const SiteName = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' })
const Tagline = Type.String({ maxLength: 300 })
const Slug = Type.String({
  pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
  minLength: 1,
  maxLength: 63,
  description:
    'Lower-case letters, digits and hyphens, no hyphen first or last, at most 63 characters: it becomes the subdomain `<slug>.<root domain>`. Derived from the name when left out.',
})
const Locale = Type.String({
  pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$',
  maxLength: 35,
  description: 'A BCP 47 language tag (`en`, `fr`, `pt-BR`).',
})
const Timezone = Type.String({
  minLength: 1,
  maxLength: 64,
  description: 'An IANA time zone name (`UTC`, `Europe/Paris`).',
})

/** Longest `robotsTxt` a site may keep (search engines read far more; this keeps the site row small). */
export const ROBOTS_TXT_MAX_LENGTH = 16_384

/**
 * The kinds of media file a site may accept (the media module's categories, decided from the bytes; a
 * test there keeps the two lists equal). `svg` is off until a site turns it on: SVG is markup, accepted
 * only once sanitised.
 */
export const MEDIA_CATEGORIES = ['image', 'pdf', 'audio', 'video', 'document', 'svg'] as const
export type MediaCategory = (typeof MEDIA_CATEGORIES)[number]

const MediaCategoryLiteral = Type.Union([
  Type.Literal('image'),
  Type.Literal('pdf'),
  Type.Literal('audio'),
  Type.Literal('video'),
  Type.Literal('document'),
  Type.Literal('svg'),
])

const MediaSettingsObject = Type.Object(
  {
    allowedCategories: Type.Optional(
      Type.Array(MediaCategoryLiteral, {
        uniqueItems: true,
        description:
          'Kinds of file editors may upload: `image` (JPEG, PNG, GIF, WebP, AVIF), `pdf`, `audio`, `video`, `document` (office documents, text, CSV), `svg` (sanitised; a drawing with script or outside references is refused). Default: all but `svg`. HTML, scripts and programs are never accepted.',
      }),
    ),
    keepMetadata: Type.Optional(
      Type.Boolean({
        description:
          'Keep camera details (make, model, lens, exposure, dates) in images readers get. Location (GPS), names and thumbnails are removed whatever this says. Default: false, every piece of metadata removed.',
      }),
    ),
  },
  { additionalProperties: false, description: 'What the media library accepts and keeps.' },
)

/** The site preferences beyond the typed columns. Closed: unknown keys are refused, not stored. */
export const SiteSettingsObject = Type.Object(
  {
    authorsMayPublish: Type.Boolean({
      description: 'Authors may publish their own entries without an editor.',
    }),
    robotsTxt: Type.String({
      maxLength: ROBOTS_TXT_MAX_LENGTH,
      description:
        'The rules of the site’s `/robots.txt` (RFC 9309): lines of `field: value`, `#` comments and blank lines, at most 16,384 characters. Empty: `User-agent: *` and `Allow: /`. The served file always ends with a `Sitemap:` line naming the site’s sitemap index; when a network admin discourages indexing of the site, these rules are replaced by `Disallow: /`. Other lines and control characters are refused with 400 COLOPHON_SITES_ROBOTS_TXT_INVALID.',
    }),
    seo: SeoSettingsObject,
    media: MediaSettingsObject,
    frontPageEntryId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
      description:
        'An entry the front page shows instead of the latest entries (its own address then answers 301 to `/`), or null for the latest entries. While that entry is not published and public (a draft, private, password-protected, trashed or deleted), the front page shows the latest entries.',
    }),
  },
  { additionalProperties: false },
)
/** The media settings as read: every key present. */
export type MediaSettings = Required<Static<typeof MediaSettingsObject>>
export const DEFAULT_MEDIA_SETTINGS: MediaSettings = Object.freeze({
  allowedCategories: MEDIA_CATEGORIES.filter((c) => c !== 'svg'),
  keepMetadata: false,
})

/** The settings as read (`readSiteSettings`): every SEO and media key present. */
export type SiteSettings = Omit<Static<typeof SiteSettingsObject>, 'seo' | 'media'> & {
  seo: SeoSettings
  media: MediaSettings
}
export const DEFAULT_SITE_SETTINGS: SiteSettings = Object.freeze({
  authorsMayPublish: false,
  robotsTxt: '',
  seo: DEFAULT_SEO_SETTINGS,
  media: DEFAULT_MEDIA_SETTINGS,
  frontPageEntryId: null,
})

export const SiteView = Type.Object({
  id: Uuid,
  name: Type.String(),
  slug: Type.String(),
  status: Status,
  isMain: Type.Boolean({ description: 'The site on the network’s root host.' }),
  ownerId: Type.Union([Uuid, Type.Null()]),
  tagline: Type.String(),
  locale: Type.String(),
  timezone: Type.String(),
  primaryHost: Type.Union([Type.String(), Type.Null()], {
    description: 'The host links and redirects use; null for the main site, which answers on the root host.',
  }),
  role: Type.Union([Type.String(), Type.Null()], {
    description: 'The caller’s role on the site (a site role slug), or null when not a member.',
  }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  deletedAt: NullableTimestamp,
  purgeAfter: Type.Union([Timestamp, Type.Null()], {
    description: 'When a deleted site is removed for good.',
  }),
})

export const SitePage = Type.Object({
  items: Type.Array(SiteView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const ListSitesQuery = Type.Object(
  {
    status: Type.Optional(Status),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the name or slug.' })),
    ...pageQuery(),
  },
  { additionalProperties: false },
)
export type ListSitesInput = Static<typeof ListSitesQuery>

export const CreateSiteBody = Type.Object(
  {
    name: SiteName,
    slug: Type.Optional(Slug),
    locale: Type.Optional(Locale),
    timezone: Type.Optional(Timezone),
    tagline: Type.Optional(Tagline),
  },
  { additionalProperties: false },
)
export type CreateSiteInput = Static<typeof CreateSiteBody>

export const SettingsView = Type.Object({
  name: Type.String(),
  tagline: Type.String(),
  locale: Type.String(),
  timezone: Type.String(),
  settings: SiteSettingsObject,
})
export type SettingsViewData = Static<typeof SettingsView>

export const PatchSettingsBody = Type.Object(
  {
    name: Type.Optional(SiteName),
    tagline: Type.Optional(Tagline),
    locale: Type.Optional(Locale),
    timezone: Type.Optional(Timezone),
    settings: Type.Optional(Type.Partial(SiteSettingsObject, { additionalProperties: false })),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type PatchSettingsInput = Static<typeof PatchSettingsBody>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 63, description: 'The site id or slug.' }),
})

export const TransferBody = Type.Object(
  { userId: Type.String({ format: 'uuid', description: 'The new owner: already a member of the site.' }) },
  { additionalProperties: false },
)
export type TransferInput = Static<typeof TransferBody>

const Confirm = Type.String({ maxLength: 63, description: 'The exact slug of the site.' })
export const DeleteSiteBody = Type.Object(
  { confirm: Type.Optional(Confirm) },
  { additionalProperties: false },
)
export const DeleteSiteQuery = Type.Object(
  { confirm: Type.Optional(Confirm) },
  { additionalProperties: false },
)
export type DeleteSiteInput = Static<typeof DeleteSiteBody>
