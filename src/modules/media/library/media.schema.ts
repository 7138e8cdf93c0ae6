import Type, { type Static } from 'typebox'
import { pageQuery } from '../../../platform/http/index.ts'

const Timestamp = Type.String({ format: 'date-time' })
const Id = Type.String({ format: 'uuid' })
const Category = Type.Union(
  ['image', 'pdf', 'audio', 'video', 'document', 'svg'].map((c) => Type.Literal(c)),
  { description: 'What kind of file it is, decided from its bytes.' },
)
/** The longest title and alt text, in characters (the upload's fields are held to them too). */
export const TEXT_LIMITS = { title: 500, alt: 1500 } as const
const Title = Type.String({
  maxLength: TEXT_LIMITS.title,
  description: 'A name for editors (defaults to the file name).',
})
const Alt = Type.String({
  maxLength: TEXT_LIMITS.alt,
  description: 'Text that stands for the image for readers who cannot see it.',
})
const Caption = Type.String({ maxLength: 5000, description: 'Shown under the file where it is used.' })
const Credit = Type.String({ maxLength: 500, description: 'Who made the file, or where it comes from.' })
const Focal = Type.Union(
  [
    Type.Object(
      {
        x: Type.Number({ minimum: 0, maximum: 1, description: 'From the left edge (0) to the right (1).' }),
        y: Type.Number({ minimum: 0, maximum: 1, description: 'From the top edge (0) to the bottom (1).' }),
      },
      { additionalProperties: false },
    ),
    Type.Null(),
  ],
  { description: 'The point of an image that crops keep in view; null: the centre.' },
)

export const MediaView = Type.Object({
  id: Id,
  category: Category,
  mimeType: Type.String({ description: 'The type decided from the bytes (never the client’s word).' }),
  filename: Type.String({ description: 'The uploaded file name, cleaned for downloads.' }),
  sizeBytes: Type.Integer(),
  sha256: Type.String({ description: 'SHA-256 of the stored bytes, in hex.' }),
  width: Type.Union([Type.Integer(), Type.Null()], { description: 'Images: pixels, orientation applied.' }),
  height: Type.Union([Type.Integer(), Type.Null()]),
  title: Type.String(),
  alt: Type.String(),
  caption: Type.String(),
  credit: Type.String(),
  decorative: Type.Boolean({ description: 'An image that needs no alt text (it carries no meaning).' }),
  focalPoint: Focal,
  uploaderId: Type.Union([Id, Type.Null()]),
  folderId: Type.Union([Id, Type.Null()], {
    description: 'The library folder it is filed in; null: the top.',
  }),
  url: Type.String({
    description:
      'Where readers fetch the file on the site’s host (`/media/{id}/{name}`; images: the cleaned original). Without a signature it answers only while a published public entry shows the item; otherwise ask the reading API (`include=media`) for a signed URL.',
  }),
  fileUrl: Type.String({
    description: 'Where editors read the file through the API (signed-in; supports Range requests).',
  }),
  processing: Type.Union(
    ['none', 'pending', 'ready', 'failed'].map((s) => Type.Literal(s)),
    {
      description:
        'Image work (a job after the upload): `pending` until the cleaned original and the variants exist, then `ready` (or `failed` after the last retry); `none` for files that need none. The original is usable at once.',
    },
  ),
  placeholder: Type.Union(
    [
      Type.Object({
        dominantColor: Type.String({ description: 'The most common colour, `#rrggbb`.' }),
        thumbhash: Type.String({ description: 'A ThumbHash (tiny blurred preview), base64.' }),
      }),
      Type.Null(),
    ],
    { description: 'Images, once processed: what to show while the image loads.' },
  ),
  variants: Type.Array(
    Type.Object({
      width: Type.Integer(),
      height: Type.Integer(),
      format: Type.Union(['avif', 'webp', 'jpeg', 'png', 'gif'].map((f) => Type.Literal(f))),
      crop: Type.Union([Type.Literal('none'), Type.Literal('square')], {
        description: '`none`: the whole picture; `square`: a 1:1 crop around the focal point.',
      }),
      sizeBytes: Type.Integer(),
      url: Type.String({ description: 'Where readers fetch it on the site’s host (cacheable for good).' }),
      fileUrl: Type.String(),
    }),
    {
      description:
        'Images, once processed: resized copies at standard widths (never wider than the image) in AVIF, WebP and the original format, and square crops around the focal point, with orientation applied and metadata removed.',
    },
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type MediaViewData = Static<typeof MediaView>

export const MediaPage = Type.Object({
  items: Type.Array(MediaView),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})

export const ListMediaQuery = Type.Object(
  {
    ...pageQuery(),
    category: Type.Optional(Category),
    uploader: Type.Optional(Type.String({ format: 'uuid', description: 'Only files this user uploaded.' })),
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description: 'Case-insensitive text in the title or alt text.',
      }),
    ),
    createdAfter: Type.Optional(Type.String({ format: 'date-time' })),
    createdBefore: Type.Optional(Type.String({ format: 'date-time' })),
    folder: Type.Optional(
      Type.String({
        pattern: '^(root|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$',
        description: 'Only files filed in this folder (its id), or `root` for those in none.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type ListMediaQuery = Static<typeof ListMediaQuery>

export const UpdateMediaBody = Type.Object(
  {
    title: Type.Optional(Title),
    alt: Type.Optional(Alt),
    caption: Type.Optional(Caption),
    credit: Type.Optional(Credit),
    decorative: Type.Optional(Type.Boolean()),
    focalPoint: Type.Optional(Focal),
    folderId: Type.Optional(
      Type.Union([Id, Type.Null()], { description: 'File it in this folder; null: the top.' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateMediaBody = Static<typeof UpdateMediaBody>

export const SiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 63, description: 'The site id or slug.' }),
})
export const FileQuery = Type.Object(
  {
    variant: Type.Optional(
      Type.String({
        pattern: '^(clean|(square-)?\\d{1,5}(-f\\d{1,5}x\\d{1,5})?\\.(avif|webp|jpg|png|gif))$',
        description:
          'Not the upload as stored but `clean` (orientation applied, metadata removed) or a variant by name, the last part of its `url` (`640.webp`, `square-320-f5000x5000.jpg`).',
      }),
    ),
  },
  { additionalProperties: false },
)

export type FileQuery = Static<typeof FileQuery>

export const MediaParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 63, description: 'The site id or slug.' }),
  id: Id,
})

export const DeleteMediaQuery = Type.Object(
  {
    force: Type.Optional(
      Type.Boolean({
        description:
          'Delete even though entries show the item: it is first taken out of each of them (a new revision without it; live entries lose it at once). Needs `site.content.edit.any` too.',
      }),
    ),
  },
  { additionalProperties: false },
)
export type DeleteMediaQuery = Static<typeof DeleteMediaQuery>

export const UsageView = Type.Object({
  items: Type.Array(
    Type.Object({
      entryId: Id,
      title: Type.String(),
      type: Type.String({ description: 'The content type’s key.' }),
      status: Type.String(),
      via: Type.Array(Type.Union(['featured', 'field', 'body'].map((v) => Type.Literal(v))), {
        description: 'How the entry shows it: featured image, a media field, an image in the body.',
      }),
      live: Type.Boolean({ description: 'Its published columns show it (not only its latest draft).' }),
    }),
  ),
})
export type UsageViewData = Static<typeof UsageView>

const MAX_BULK = 100
export const BulkMediaBody = Type.Object(
  {
    action: Type.Union([Type.Literal('move'), Type.Literal('delete')]),
    ids: Type.Array(Id, { minItems: 1, maxItems: MAX_BULK, uniqueItems: true }),
    folderId: Type.Optional(
      Type.Union([Id, Type.Null()], { description: '`move`: the folder to file them in; null: the top.' }),
    ),
    force: Type.Optional(Type.Boolean({ description: '`delete`: as `force` on a single delete.' })),
  },
  { additionalProperties: false },
)
export type BulkMediaBody = Static<typeof BulkMediaBody>
export const BulkMediaResult = Type.Object({
  action: Type.Union([Type.Literal('move'), Type.Literal('delete')]),
  ids: Type.Array(Id),
  entriesChanged: Type.Array(Id, {
    description: '`delete` with `force`: the entries the items were taken out of.',
  }),
})
export type BulkMediaResultData = Static<typeof BulkMediaResult>

const FolderName = Type.String({
  minLength: 1,
  maxLength: 120,
  description: 'Unique among its sibling folders, whatever the case; no `/` or control characters.',
})
export const FolderView = Type.Object({
  id: Id,
  parentId: Type.Union([Id, Type.Null()]),
  name: Type.String(),
  items: Type.Integer({ description: 'Files filed directly in it.' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
})
export type FolderViewData = Static<typeof FolderView>
export const FolderList = Type.Object({ items: Type.Array(FolderView) })
export const CreateFolderBody = Type.Object(
  { name: FolderName, parentId: Type.Optional(Type.Union([Id, Type.Null()])) },
  { additionalProperties: false },
)
export type CreateFolderBody = Static<typeof CreateFolderBody>
export const UpdateFolderBody = Type.Object(
  { name: Type.Optional(FolderName), parentId: Type.Optional(Type.Union([Id, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateFolderBody = Static<typeof UpdateFolderBody>
export const FolderParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 63, description: 'The site id or slug.' }),
  folder: Id,
})

export const ImportMediaBody = Type.Object(
  {
    url: Type.String({ minLength: 1, maxLength: 4096, description: 'An http or https URL of the file.' }),
    title: Type.Optional(Title),
    alt: Type.Optional(Alt),
  },
  { additionalProperties: false },
)
export type ImportMediaBody = Static<typeof ImportMediaBody>
