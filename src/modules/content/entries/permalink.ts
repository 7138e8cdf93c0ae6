/**
 * Permalinks: the public path of an entry, built from its type's template. Pure: the workflow uses it to
 * notice that a published entry's path changed (and record an automatic redirect); the reading side may
 * use it to show links.
 *
 * Tokens: `{slug}`; `{path}` (the ancestors' slugs and the slug, root first, joined by `/`); `{year}`,
 * `{month}`, `{day}` (of the first publication, in the site's time zone); `{id}`; `{type}` (the type key).
 */

export interface PermalinkInput {
  /** The type's template, e.g. `/{year}/{month}/{slug}` (validated when the type is saved). */
  template: string
  slug: string
  /** The parent slugs, root first (empty for a top-level entry). */
  ancestors: readonly string[]
  /**
   * When the entry was first published. Null for an entry never published: its creation time (read from
   * its UUIDv7 id) fills the date tokens, so a draft's preview path is stable.
   */
  publishedAt: Date | null
  id: string
  typeKey: string
  /** IANA time zone of the site for the date tokens (default UTC, as WordPress does with the site's). */
  timeZone?: string
}

/** The milliseconds since the epoch a UUIDv7 carries in its first 48 bits; 0 for other ids. */
export function uuidv7Time(id: string): number {
  const hex = id.replace(/-/g, '')
  if (!/^[0-9a-f]{32}$/i.test(hex) || hex[12] !== '7') return 0
  return parseInt(hex.slice(0, 12), 16)
}

interface DateParts {
  year: string
  month: string
  day: string
}

/** Formatters per time zone: making one costs far more than using it (a page builds many permalinks). */
const dayFormatters = new Map<string, Intl.DateTimeFormat>()

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = dayFormatters.get(timeZone)
  if (formatter === undefined) {
    const options = { year: 'numeric', month: '2-digit', day: '2-digit' } as const
    try {
      formatter = new Intl.DateTimeFormat('en-CA', { ...options, timeZone })
    } catch {
      // An unknown zone (stored before validation existed) must not break publishing: fall back to UTC.
      formatter = new Intl.DateTimeFormat('en-CA', { ...options, timeZone: 'UTC' })
    }
    if (dayFormatters.size > 500) dayFormatters.clear()
    dayFormatters.set(timeZone, formatter)
  }
  return formatter
}

function datePartsOf(at: Date, timeZone: string): DateParts {
  const parts = dayFormatter(timeZone).formatToParts(at)
  const of = (type: string) => parts.find((p) => p.type === type)?.value ?? '00'
  return { year: of('year').padStart(4, '0'), month: of('month'), day: of('day') }
}

/** One path segment, percent-encoded (slugs are ASCII already; this guards hand-made data). */
function segment(text: string): string {
  return encodeURIComponent(text)
}

/** The entry's public path for `template` (always starting with `/`, without a trailing `/`). */
export function permalinkOf(input: PermalinkInput): string {
  const at = input.publishedAt ?? new Date(uuidv7Time(input.id))
  const date = datePartsOf(at, input.timeZone ?? 'UTC')
  const values: Record<string, string> = {
    slug: segment(input.slug),
    path: [...input.ancestors, input.slug].map(segment).join('/'),
    year: date.year,
    month: date.month,
    day: date.day,
    id: segment(input.id),
    type: segment(input.typeKey),
  }
  const filled = input.template.replace(/\{([a-z]+)\}/g, (whole, token: string) => values[token] ?? whole)
  // Collapse empty segments so that a template like `/{path}/` cannot give `//` or a trailing slash.
  const path = filled
    .split('/')
    .filter((part) => part !== '')
    .join('/')
  return `/${path}`
}
