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

/** Slugs looked up per statement by `freeSlug`: the base and its next suffixes, then the following ones. */
export const SLUG_PROBE = 32

/**
 * The first of `base`, `base-2`, `base-3`… that `taken` does not report. `taken` is asked about 32
 * candidates at a time and answers which of them are held: a repository looks them up by equality, one
 * index probe each, rather than reading every slug that starts with the base (which grows with the
 * table). One call settles it unless 32 rows share the base.
 */
export async function freeSlug(
  base: string,
  taken: (candidates: string[]) => Promise<ReadonlySet<string>>,
): Promise<string> {
  for (let from = 1; ; from += SLUG_PROBE) {
    const candidates = Array.from({ length: SLUG_PROBE }, (_, i) =>
      from + i === 1 ? base : withSuffix(base, from + i),
    )
    const held = await taken(candidates)
    const free = candidates.find((c) => !held.has(c))
    if (free !== undefined) return free
  }
}
