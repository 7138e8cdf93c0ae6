/**
 * The template hierarchy: for each kind of page, the templates a theme may provide, most specific first,
 * ending with `index` (which every theme has). Every content type is treated alike: a `post` is found
 * through `entry-post` exactly as a `recipe` through `entry-recipe`.
 */

/** A page as the resolver found it, described for the choice of its template. */
export type PageTemplateFor =
  /** The front page listing the latest entries. */
  | { kind: 'front' }
  /** The front page showing an entry chosen in the site's reading settings. */
  | { kind: 'front-entry'; type: string; slug: string }
  | { kind: 'entry'; type: string; slug: string }
  | { kind: 'archive'; type: string }
  | { kind: 'taxonomy'; taxonomy: string; term: string }
  | { kind: 'author'; author: string }
  | { kind: 'date' }
  | { kind: 'not-found' }

/** The candidate template names for a page, most specific first; the last is always `index`. */
export function templateCandidates(page: PageTemplateFor): string[] {
  switch (page.kind) {
    case 'front':
      return ['front-page', 'home', 'index']
    case 'front-entry':
      return ['front-page', ...entryCandidates(page.type, page.slug)]
    case 'entry':
      return entryCandidates(page.type, page.slug)
    case 'archive':
      return [`archive-${page.type}`, 'archive', 'index']
    case 'taxonomy':
      return [
        `taxonomy-${page.taxonomy}-${page.term}`,
        `taxonomy-${page.taxonomy}`,
        'taxonomy',
        'archive',
        'index',
      ]
    case 'author':
      return [`author-${page.author}`, 'author', 'archive', 'index']
    case 'date':
      return ['date', 'archive', 'index']
    case 'not-found':
      return ['404', 'index']
  }
}

function entryCandidates(type: string, slug: string): string[] {
  return [`entry-${type}-${slug}`, `entry-${type}`, 'entry', 'index']
}

/** The first candidate the theme has (`index` at the latest). */
export function chooseTemplate(has: (template: string) => boolean, page: PageTemplateFor): string {
  return templateCandidates(page).find(has) ?? 'index'
}
