/**
 * A site's feed in the three formats readers subscribe with: RSS 2.0, Atom 1.0 (RFC 4287) and JSON Feed
 * 1.1. One model, three writers; pure functions. Links are absolute, ids stable (an entry keeps its
 * `urn:uuid:` id when its URL changes), dates as each format wants them (RFC 822 in RSS, RFC 3339 in
 * Atom and JSON Feed).
 */

export interface FeedItem {
  id: string
  url: string
  title: string
  summary: string
  contentHtml: string
  /** ISO 8601. */
  published: string
  /** ISO 8601. */
  updated: string
  author: string | null
  categories: { term: string; label: string }[]
}

export interface FeedModel {
  /** Stable id of the feed (`urn:uuid:` of the site, with the feed's path). */
  id: string
  title: string
  description: string
  language: string
  homeUrl: string
  /** Each format's own URL, for its self link. */
  urls: Record<FeedFormat, string>
  items: FeedItem[]
}

export type FeedFormat = 'rss' | 'atom' | 'json'

export const FEED_CONTENT_TYPES: Readonly<Record<FeedFormat, string>> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
}

// Characters XML 1.0 cannot carry at all (C0 controls but tab and newlines, lone surrogates, U+FFFE/F).
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** Text as XML character data or attribute value. */
export function xmlText(text: string): string {
  return text
    .replace(NOT_XML, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

const tag = (name: string, text: string) => `<${name}>${xmlText(text)}</${name}>`

/** The newest `updated` of the items, or the epoch for an empty feed (a feed date must not move by itself). */
function feedUpdated(model: FeedModel): string {
  return model.items.reduce((max, i) => (i.updated > max ? i.updated : max), '1970-01-01T00:00:00.000Z')
}

const rfc822 = (iso: string) => new Date(iso).toUTCString()

export function rssOf(model: FeedModel): string {
  const items = model.items.map((i) =>
    [
      '<item>',
      tag('title', i.title),
      tag('link', i.url),
      `<guid isPermaLink="false">${xmlText(i.id)}</guid>`,
      tag('pubDate', rfc822(i.published)),
      i.author === null ? '' : tag('dc:creator', i.author),
      ...i.categories.map((c) => tag('category', c.label)),
      tag('description', i.summary),
      i.contentHtml === '' ? '' : tag('content:encoded', i.contentHtml),
      '</item>',
    ].join(''),
  )
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">',
    '<channel>',
    tag('title', model.title),
    tag('link', model.homeUrl),
    tag('description', model.description || model.title),
    tag('language', model.language),
    tag('lastBuildDate', rfc822(feedUpdated(model))),
    `<atom:link href="${xmlText(model.urls.rss)}" rel="self" type="application/rss+xml"/>`,
    tag('generator', 'Colophon'),
    ...items,
    '</channel>',
    '</rss>',
    '',
  ].join('\n')
}

export function atomOf(model: FeedModel): string {
  const entries = model.items.map((i) =>
    [
      '<entry>',
      tag('id', i.id),
      `<title type="text">${xmlText(i.title)}</title>`,
      `<link rel="alternate" type="text/html" href="${xmlText(i.url)}"/>`,
      tag('published', i.published),
      tag('updated', i.updated),
      i.author === null ? '' : `<author>${tag('name', i.author)}</author>`,
      ...i.categories.map((c) => `<category term="${xmlText(c.term)}" label="${xmlText(c.label)}"/>`),
      `<summary type="text">${xmlText(i.summary)}</summary>`,
      i.contentHtml === '' ? '' : `<content type="html">${xmlText(i.contentHtml)}</content>`,
      '</entry>',
    ].join(''),
  )
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xmlText(model.language)}">`,
    tag('id', model.id),
    `<title type="text">${xmlText(model.title)}</title>`,
    model.description === '' ? '' : `<subtitle type="text">${xmlText(model.description)}</subtitle>`,
    tag('updated', feedUpdated(model)),
    // Entries without an author of their own take the feed's (RFC 4287 §4.1.1).
    `<author>${tag('name', model.title)}</author>`,
    `<link rel="alternate" type="text/html" href="${xmlText(model.homeUrl)}"/>`,
    `<link rel="self" type="application/atom+xml" href="${xmlText(model.urls.atom)}"/>`,
    tag('generator', 'Colophon'),
    ...entries,
    '</feed>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n')
}

export function jsonFeedOf(model: FeedModel): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: model.title,
    home_page_url: model.homeUrl,
    feed_url: model.urls.json,
    ...(model.description === '' ? {} : { description: model.description }),
    language: model.language,
    authors: [{ name: model.title }],
    items: model.items.map((i) => ({
      id: i.id,
      url: i.url,
      title: i.title,
      ...(i.contentHtml === '' ? { content_text: i.summary } : { content_html: i.contentHtml }),
      ...(i.summary === '' ? {} : { summary: i.summary }),
      date_published: i.published,
      date_modified: i.updated,
      ...(i.author === null ? {} : { authors: [{ name: i.author }] }),
      ...(i.categories.length === 0 ? {} : { tags: i.categories.map((c) => c.label) }),
    })),
  })
}

export const FEED_WRITERS: Readonly<Record<FeedFormat, (model: FeedModel) => string>> = {
  rss: rssOf,
  atom: atomOf,
  json: jsonFeedOf,
}
