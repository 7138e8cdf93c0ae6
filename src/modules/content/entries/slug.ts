/**
 * Slugs: the URL-safe names of entries. One normaliser for every content type, so the same title always
 * gives the same slug whatever the type.
 */

export const SLUG_MAX_LENGTH = 200
export const EMPTY_SLUG = 'untitled'

/** Letters NFKD does not decompose into ASCII plus marks. */
const TRANSLITERATIONS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ł: 'l',
  ı: 'i',
  ħ: 'h',
  ŧ: 't',
  ŋ: 'n',
  '&': ' and ',
}

/**
 * Lower-case ASCII words joined by `-`: accents are transliterated (`Crème brûlée` → `creme-brulee`),
 * anything else becomes a separator, at most 200 characters, never empty (`untitled`).
 */
export function normaliseSlug(text: string): string {
  const lowered = text.toLowerCase()
  let ascii = ''
  for (const ch of lowered.normalize('NFKD')) ascii += TRANSLITERATIONS[ch] ?? ch
  const slug = ascii
    // Combining marks left by NFKD (the accents themselves).
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
  const cut = slug.slice(0, SLUG_MAX_LENGTH).replace(/-+$/g, '')
  return cut === '' ? EMPTY_SLUG : cut
}

/** `base-n`, cutting `base` so that the result stays within the maximum length. */
export function withSuffix(base: string, n: number): string {
  const suffix = `-${n}`
  const room = SLUG_MAX_LENGTH - suffix.length
  const head = base.length > room ? base.slice(0, room).replace(/-+$/g, '') : base
  return `${head}${suffix}`
}

/** The first of `base`, `base-2`, `base-3`… that is not in `taken`. */
export function firstFreeSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base
  for (let n = 2; ; n++) {
    const candidate = withSuffix(base, n)
    if (!taken.has(candidate)) return candidate
  }
}
