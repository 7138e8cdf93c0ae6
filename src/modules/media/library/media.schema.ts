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
      sizeBytes: Type.Integer(),
      fileUrl: Type.String(),
    }),
    {
      description:
        'Images, once processed: resized copies at standard widths (never wider than the image) in AVIF, WebP and the original format, with orientation applied and metadata removed.',
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
        pattern: '^(clean|\\d{1,5}\\.(avif|webp|jpeg|png|gif))$',
        description:
          'Not the upload as stored but `clean` (orientation applied, metadata removed) or a variant, `<width>.<format>` as listed in `variants`.',
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
