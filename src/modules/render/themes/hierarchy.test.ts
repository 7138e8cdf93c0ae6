import { describe, expect, it } from 'vitest'
import { chooseTemplate, templateCandidates, type PageTemplateFor } from './hierarchy.ts'

describe('template hierarchy', () => {
  it.each<[PageTemplateFor, string[]]>([
    [{ kind: 'front' }, ['front-page', 'home', 'index']],
    [
      { kind: 'front-entry', type: 'page', slug: 'welcome' },
      ['front-page', 'entry-page-welcome', 'entry-page', 'entry', 'index'],
    ],
    [
      { kind: 'entry', type: 'recipe', slug: 'soup' },
      ['entry-recipe-soup', 'entry-recipe', 'entry', 'index'],
    ],
    [{ kind: 'archive', type: 'post' }, ['archive-post', 'archive', 'index']],
    [
      { kind: 'taxonomy', taxonomy: 'category', term: 'news' },
      ['taxonomy-category-news', 'taxonomy-category', 'taxonomy', 'archive', 'index'],
    ],
    [{ kind: 'author', author: 'ann' }, ['author-ann', 'author', 'archive', 'index']],
    [{ kind: 'date' }, ['date', 'archive', 'index']],
    [{ kind: 'not-found' }, ['404', 'index']],
  ])('%j looks for %j', (page, candidates) => {
    expect(templateCandidates(page)).toEqual(candidates)
  })

  it('takes the most specific template the theme has, at every level', () => {
    const page: PageTemplateFor = { kind: 'taxonomy', taxonomy: 'tag', term: 'go' }
    const candidates = templateCandidates(page)
    // With only the last n candidates present, the first of those is chosen.
    for (let i = 0; i < candidates.length; i++) {
      const theme = new Set(candidates.slice(i))
      expect(chooseTemplate((t) => theme.has(t), page)).toBe(candidates[i])
    }
    expect(chooseTemplate(() => false, page)).toBe('index')
  })
})
