/**
 * The allow-list of media: which kinds of file a site may hold, grouped in categories a site switches on
 * or off. A type not listed here is never stored, whatever a site allows.
 *
 * `detectedAs` names what the byte sniffer (file-type, or this folder's own text checks) reports for the
 * type; `extensions` are the file-name endings that fit it, used only to warn when a name disagrees with
 * the bytes.
 */

/** The categories, in the order admin screens list them. `svg` stays off unless a site turns it on. */
export const MEDIA_CATEGORY_LIST = ['image', 'pdf', 'audio', 'video', 'document', 'svg'] as const

/** One category of the allow-list ("image", "pdf" …). */
export type MediaCategory = (typeof MEDIA_CATEGORY_LIST)[number]

/** What a new site allows: every category but `svg` (markup that can carry script). */
export const DEFAULT_ALLOWED_CATEGORIES: readonly MediaCategory[] = [
  'image',
  'pdf',
  'audio',
  'video',
  'document',
]

/** One allowed type of file. */
export interface MediaType {
  /** The MIME type it is stored and served as. */
  readonly mime: string
  /** The extension given to stored copies. */
  readonly ext: string
  readonly category: MediaCategory
  /** File-name endings (lower case) that fit this type; any other ending earns a warning. */
  readonly extensions: readonly string[]
  /** The sniffer's names for it (file-type's `ext`, or `text`, `csv`, `svg` from the own checks). */
  readonly detectedAs: readonly string[]
}

const type = (
  category: MediaCategory,
  mime: string,
  ext: string,
  extensions: readonly string[] = [ext],
  detectedAs: readonly string[] = [ext],
): MediaType => Object.freeze({ category, mime, ext, extensions, detectedAs })

const OOXML = 'application/vnd.openxmlformats-officedocument'
const ODF = 'application/vnd.oasis.opendocument'

/** Every allowed type. */
export const MEDIA_TYPES: readonly MediaType[] = Object.freeze([
  type('image', 'image/jpeg', 'jpg', ['jpg', 'jpeg', 'jpe', 'jfif']),
  // An animated PNG is a PNG to every reader that does not animate it.
  type('image', 'image/png', 'png', ['png', 'apng'], ['png', 'apng']),
  type('image', 'image/gif', 'gif'),
  type('image', 'image/webp', 'webp'),
  type('image', 'image/avif', 'avif'),
  type('pdf', 'application/pdf', 'pdf'),
  type('audio', 'audio/mpeg', 'mp3', ['mp3', 'mpga']),
  type('audio', 'audio/ogg', 'ogg', ['ogg', 'oga', 'opus'], ['ogg', 'oga', 'opus']),
  type('audio', 'audio/wav', 'wav', ['wav', 'wave']),
  type('audio', 'audio/flac', 'flac'),
  type('audio', 'audio/mp4', 'm4a', ['m4a', 'mp4']),
  type('audio', 'audio/aac', 'aac'),
  type('video', 'video/mp4', 'mp4', ['mp4', 'm4v'], ['mp4', 'm4v']),
  type('video', 'video/webm', 'webm'),
  type('video', 'video/quicktime', 'mov', ['mov', 'qt']),
  type('video', 'video/ogg', 'ogv', ['ogv', 'ogg']),
  type('document', `${OOXML}.wordprocessingml.document`, 'docx'),
  type('document', `${OOXML}.spreadsheetml.sheet`, 'xlsx'),
  type('document', `${OOXML}.presentationml.presentation`, 'pptx'),
  type('document', `${ODF}.text`, 'odt'),
  type('document', `${ODF}.spreadsheet`, 'ods'),
  type('document', `${ODF}.presentation`, 'odp'),
  // A CSV file is also plain text, so a plain-text file named .csv earns no warning.
  type('document', 'text/plain', 'txt', ['txt', 'text', 'md', 'markdown', 'log', 'csv'], ['text']),
  type('document', 'text/csv', 'csv', ['csv', 'txt'], ['csv']),
  type('document', 'application/rtf', 'rtf'),
  type('svg', 'image/svg+xml', 'svg'),
])

/** The MIME types each category allows. */
export const MEDIA_CATEGORIES: Readonly<Record<MediaCategory, readonly string[]>> = Object.freeze(
  Object.fromEntries(
    MEDIA_CATEGORY_LIST.map((category) => [
      category,
      Object.freeze([...new Set(MEDIA_TYPES.filter((t) => t.category === category).map((t) => t.mime))]),
    ]),
  ) as Record<MediaCategory, readonly string[]>,
)

/**
 * Categories whose files are scanned whole for markup (`findMarkup`) before they are kept. PDF is exempt:
 * its streams legitimately hold such text now and then. SVG is markup by nature and needs its own
 * sanitiser before a site can turn it on safely.
 */
export const MARKUP_SCANNED_CATEGORIES: readonly MediaCategory[] = ['image']

const byDetectedName = new Map(MEDIA_TYPES.flatMap((t) => t.detectedAs.map((name) => [name, t] as const)))

/** The allowed type the sniffer's name stands for, if any. */
export function mediaTypeOf(detectedName: string): MediaType | undefined {
  return byDetectedName.get(detectedName)
}

/** True when `value` names a category (for settings read from storage or a request). */
export function isMediaCategory(value: unknown): value is MediaCategory {
  return typeof value === 'string' && (MEDIA_CATEGORY_LIST as readonly string[]).includes(value)
}
