import type { EntrySeo } from '../../content/index.ts'
import type { SeoSettings } from '../../sites/index.ts'

/**
 * The words of the SEO builder: what it is given (`SeoInput`) and what it gives themes (`PageSeo`, the
 * `seo` object of docs/themes.md). Plain data both ways.
 */

export type SeoPageKind =
  'front' | 'entry' | 'archive' | 'taxonomy' | 'author' | 'date' | 'not-found' | 'bad-request'

export interface SeoSite {
  name: string
  tagline: string
  /** BCP 47 language tag (`en`, `pt-BR`). */
  locale: string
  /** The canonical origin, no trailing slash: `https://example.org`. */
  origin: string
  /** The site's `settings.seo` as `readSiteSettings` gives them. */
  settings: SeoSettings
}

export interface SeoPage {
  kind: SeoPageKind
  /** The page's own title without the site's name: an archive's, an entry's; empty on the front page. */
  title: string
  /** Absolute; null on error pages. */
  canonicalUrl: string | null
  /** A listing's own description (a term's); empty when it has none. Entries' come from `entry`. */
  description: string
  /** The page, or the whole site, asks search engines not to index it. */
  noindex: boolean
  /** A listing's page number, from 1. */
  pageNumber?: number
}

/** An entry as `EntryContext` (pages/page-context.ts) has it, with its SEO fields and its type's shape. */
export interface SeoEntry {
  title: string
  excerpt: string
  url: string
  publishedAt: string | null
  updatedAt: string | null
  author: { name: string; url: string } | null
  terms: readonly {
    taxonomy: string
    taxonomyName: string
    items: readonly { name: string; url: string }[]
  }[]
  /** Root first; those without a URL are left out of the breadcrumb trail. */
  ancestors: readonly { title: string; url: string | null }[]
  /** The type's key, for its title template. */
  type: string
  /**
   * Whether the type arranges its entries in a tree (pages): those are an `Article`, the others (dated
   * writing, listed in archives and feeds) a `BlogPosting`.
   */
  hierarchical: boolean
  seo: EntrySeo
}

/** The words the builder writes itself, in the site's language (`seoLabelsOf` reads them from a theme). */
export interface SeoLabels {
  /** The first breadcrumb. */
  home: string
  /** `{page}` of title templates on later pages: holds `{page}` for the number ("Page {page}"). */
  pageNumber: string
  notFound: string
  badRequest: string
  /** An entry's title when it has none. */
  untitled: string
}

export interface SeoInput {
  site: SeoSite
  page: SeoPage
  /** On entry pages. */
  entry?: SeoEntry
  labels?: Partial<SeoLabels>
}

/** One `<meta>` of the head: Open Graph ones by `property`, the others by `name`. */
export type SeoMeta = { property: string; content: string } | { name: string; content: string }

/** What the theme writes in the page's head (docs/themes.md, `seo`). */
export interface PageSeo {
  /** The whole `<title>`, template applied; never empty. */
  title: string
  /** The meta description, at most about 160 characters; empty when the page has none (error pages). */
  description: string
  canonicalUrl: string | null
  /** `noindex, follow`, or null to say nothing. */
  robots: string | null
  /** Open Graph and X (Twitter) card tags, in order. */
  meta: SeoMeta[]
  /** One JSON-LD `@graph`, safe to write unescaped inside `<script type="application/ld+json">`. */
  jsonLd: string
}
