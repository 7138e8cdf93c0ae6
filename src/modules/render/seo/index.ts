/**
 * SEO for public pages (issue 13): `buildSeo` gives the `seo` object themes write in the page's head
 * (title, description, canonical URL, robots, Open Graph and X cards, JSON-LD). Pure; pages call it with
 * the site's settings and what the page shows.
 */
export {
  DEFAULT_SEO_LABELS,
  DESCRIPTION_MAX,
  buildSeo,
  openGraphLocale,
  trimDescription,
} from './seo.rules.ts'
export { scriptSafeJson } from './json-ld.ts'
export { seoLabelsOf } from './seo.labels.ts'
export type {
  PageSeo,
  SeoEntry,
  SeoInput,
  SeoLabels,
  SeoMeta,
  SeoPage,
  SeoPageKind,
  SeoSite,
} from './seo.model.ts'
