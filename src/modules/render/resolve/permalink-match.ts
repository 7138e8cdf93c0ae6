/**
 * The other direction of `permalinkOf` (content/entries/permalink.ts): which entries of a type a path
 * could be, read from the type's permalink template. A match only says where to look (a slug, the
 * parent slugs, an id); the resolver still finds the entry and compares its own permalink with the path,
 * so a date or parent that does not fit is a redirect to the canonical path, never a second page.
 */

/** What a path says about the entry it names, by template token. */
export interface PermalinkMatch {
  slug?: string
  /** The parent slugs, root first, from `{path}` (whose last segment is the slug). */
  ancestors?: string[]
  year?: string
  month?: string
  day?: string
  id?: string
}

const TOKEN_PATTERNS: Readonly<Record<string, string>> = {
  slug: '([^/]+)',
  path: '([^/]+(?:/[^/]+)*)',
  year: '([0-9]{4})',
  month: '([0-9]{2})',
  day: '([0-9]{2})',
  id: '([0-9a-fA-F-]{36})',
}

interface Compiled {
  regex: RegExp
  tokens: string[]
}

const compiledTemplates = new Map<string, Compiled>()

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The template with empty segments collapsed, as `permalinkOf` fills it. */
function collapsed(template: string): string {
  return `/${template
    .split('/')
    .filter((part) => part !== '')
    .join('/')}`
}

function compile(template: string, typeKey: string): Compiled {
  const key = `${typeKey}\0${template}`
  const hit = compiledTemplates.get(key)
  if (hit) return hit
  const tokens: string[] = []
  let pattern = ''
  let last = 0
  const text = collapsed(template)
  for (const m of text.matchAll(/\{([a-z]+)\}/g)) {
    pattern += escapeRegex(text.slice(last, m.index))
    const token = m[1] as string
    if (token === 'type') pattern += escapeRegex(encodeURIComponent(typeKey))
    else {
      pattern += TOKEN_PATTERNS[token] ?? escapeRegex(m[0])
      if (TOKEN_PATTERNS[token]) tokens.push(token)
    }
    last = (m.index as number) + m[0].length
  }
  pattern += escapeRegex(text.slice(last))
  const compiled = { regex: new RegExp(`^${pattern}$`), tokens }
  if (compiledTemplates.size > 1000) compiledTemplates.clear()
  compiledTemplates.set(key, compiled)
  return compiled
}

/**
 * What `path` (canonical, encoded: `pathOf`) says under `template` for an entry of type `typeKey`, or
 * null when the path cannot be one of that type's permalinks. A token used twice must carry the same
 * value both times.
 */
export function matchPermalink(template: string, typeKey: string, path: string): PermalinkMatch | null {
  const { regex, tokens } = compile(template, typeKey)
  const m = regex.exec(path)
  if (!m) return null
  const values = new Map<string, string>()
  for (const [i, token] of tokens.entries()) {
    let value: string
    try {
      value = decodeURIComponent(m[i + 1] as string)
    } catch {
      return null
    }
    if (values.has(token) && values.get(token) !== value) return null
    values.set(token, value)
  }
  const match: PermalinkMatch = {}
  for (const [token, value] of values) {
    if (token === 'path') {
      const parts = value.split('/')
      match.ancestors = parts.slice(0, -1)
      match.slug = parts[parts.length - 1] as string
    } else if (token !== 'slug') match[token as 'year' | 'month' | 'day' | 'id'] = value
  }
  const slug = values.get('slug')
  if (slug !== undefined) {
    // `{path}` ends with the slug: a template holding both must agree with itself.
    if (match.slug !== undefined && match.slug !== slug) return null
    match.slug = slug
  }
  return match
}

/**
 * How specific a template is, to try the types of a site in a fixed order: more literal characters
 * first (`/blog/{slug}` before `/{slug}`), then fewer open-ended tokens (`{path}` last), then more
 * tokens. A path that two types could both take goes to the first that has an entry there.
 */
export function templateSpecificity(template: string, typeKey: string): [number, number, number] {
  const text = collapsed(template).replace(/\{type\}/g, encodeURIComponent(typeKey))
  const literal = text.replace(/\{[a-z]+\}/g, '').length
  const open = (text.match(/\{path\}/g) ?? []).length
  const tokens = (text.match(/\{[a-z]+\}/g) ?? []).length
  return [literal, -open, tokens]
}

/** Orders a site's types for matching by `templateSpecificity`, then by key (a stable order). */
export function bySpecificity(
  a: { template: string; typeKey: string },
  b: { template: string; typeKey: string },
): number {
  const [x, y] = [templateSpecificity(a.template, a.typeKey), templateSpecificity(b.template, b.typeKey)]
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return (y[i] as number) - (x[i] as number)
  return a.typeKey < b.typeKey ? -1 : a.typeKey > b.typeKey ? 1 : 0
}
