import { themeText, type LoadedTheme } from '../themes/index.ts'
import { DEFAULT_SEO_LABELS } from './seo.rules.ts'
import type { SeoLabels } from './seo.model.ts'

/** The theme's translation key of each label (the keys the default theme's own templates use). */
const KEYS: Readonly<Record<keyof SeoLabels, string>> = {
  home: 'home',
  pageNumber: 'page_number',
  notFound: 'not_found_title',
  badRequest: 'bad_request_title',
  untitled: 'untitled',
}

/**
 * The builder's words in the site's language, from the theme's translations (the words its templates
 * show readers, so the title and the breadcrumb agree); English where the theme has no such key.
 */
export function seoLabelsOf(theme: LoadedTheme, locale: string): SeoLabels {
  const labels = { ...DEFAULT_SEO_LABELS }
  for (const [label, key] of Object.entries(KEYS) as [keyof SeoLabels, string][]) {
    const text = themeText(theme, locale, key)
    if (text !== key && text.trim() !== '') labels[label] = text
  }
  return labels
}
