import Type, { type Static } from 'typebox'

const DiscourageIndexing = Type.Boolean({
  description:
    'When true, search engines are asked to stay away from the whole site: `/robots.txt` answers `User-agent: *` and `Disallow: /` (the site’s own rules set aside), the sitemaps answer 404, and every page carries `<meta name="robots" content="noindex">`.',
})

export const IndexingView = Type.Object({ discourageIndexing: DiscourageIndexing })
export type IndexingViewData = Static<typeof IndexingView>

export const PutIndexingBody = Type.Object(
  { discourageIndexing: DiscourageIndexing },
  { additionalProperties: false },
)
export type PutIndexingInput = Static<typeof PutIndexingBody>

export const IndexingSiteParams = Type.Object({
  site: Type.String({ minLength: 1, maxLength: 63, description: 'The site id or slug.' }),
})
