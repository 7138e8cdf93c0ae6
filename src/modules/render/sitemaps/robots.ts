/**
 * A site's robots.txt (RFC 9309) from its stored rules. Pure. The rules come from the site settings
 * (`robotsTxt`, checked when saved by the sites module); empty rules mean "everything may be crawled".
 * The file always ends by naming the site's sitemap index, except when a network admin discourages
 * indexing of the site: then every crawler is asked to stay away, and there is no sitemap to name.
 */

export const ROBOTS_CONTENT_TYPE = 'text/plain; charset=utf-8'

export const DEFAULT_ROBOTS_RULES = 'User-agent: *\nAllow: /'
const DISCOURAGED = 'User-agent: *\nDisallow: /\n'

export function robotsTxtOf(input: {
  rules: string
  discourageIndexing: boolean
  sitemapUrl: string
}): string {
  if (input.discourageIndexing) return DISCOURAGED
  const sitemapLine = `Sitemap: ${input.sitemapUrl}`
  const lines = input.rules
    .split(/\r\n|\r|\n/)
    .map((line) => line.trimEnd())
    // Our own sitemap is named once, last, whatever the rules already say about it.
    .filter((line) => !isSameSitemapLine(line, input.sitemapUrl))
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  while (lines.length > 0 && lines[0] === '') lines.shift()
  const rules = lines.length === 0 ? DEFAULT_ROBOTS_RULES : lines.join('\n')
  return `${rules}\n\n${sitemapLine}\n`
}

function isSameSitemapLine(line: string, url: string): boolean {
  const match = /^[ \t]*sitemap[ \t]*:[ \t]*(\S+)[ \t]*$/i.exec(line)
  return match?.[1] === url
}
