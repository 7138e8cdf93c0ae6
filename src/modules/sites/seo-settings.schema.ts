import Type, { type Static } from 'typebox'

/**
 * A site's SEO settings (`settings.seo`): how its pages are titled and described to search engines and
 * social networks. The render module's SEO builder reads them (src/modules/render/seo/); the tokens and
 * the rules for saving them live here, with the rest of the site's settings.
 */

/** The tokens a title template may use. `{page}` is "Page 2" on a listing's later pages, else empty. */
export const TITLE_TEMPLATE_TOKENS = ['title', 'site', 'tagline', 'page'] as const
export type TitleTemplateToken = (typeof TITLE_TEMPLATE_TOKENS)[number]

/** A content type's key (the content module's rule, repeated here: sites cannot import content). */
export const TYPE_KEY_PATTERN = '^[a-z][a-z0-9-]{0,39}$'
export const TITLE_TEMPLATE_MAX_LENGTH = 200
export const DEFAULT_DESCRIPTION_MAX_LENGTH = 300
export const SEO_IMAGE_MAX_LENGTH = 2000
/** At most this many per-type title templates (one per content type; sites have far fewer types). */
export const TYPE_TITLE_TEMPLATES_MAX = 100

const TitleTemplate = (description: string) =>
  Type.String({ maxLength: TITLE_TEMPLATE_MAX_LENGTH, description })

const TOKENS_TEXT =
  'Tokens: `{title}` (the page’s own title), `{site}` (the site name), `{tagline}`, `{page}` ("Page 2" on later pages of a listing, empty elsewhere). A separator left next to an empty token is dropped (`Archive – – Site` becomes `Archive – Site`). Unknown tokens and stray braces are refused with 400 COLOPHON_SITES_SEO_INVALID.'

/** Every key optional: a PATCH names the keys it changes; reading fills in the defaults. */
export const SeoSettingsObject = Type.Object(
  {
    titleTemplate: Type.Optional(
      TitleTemplate(
        `The title of every page but the front page, up to 200 characters; must hold \`{title}\`. Default \`{title} – {page} – {site}\`. ${TOKENS_TEXT}`,
      ),
    ),
    frontTitleTemplate: Type.Optional(
      TitleTemplate(
        `The title of the front page (and its later pages), up to 200 characters, not empty. Default \`{site} – {tagline} – {page}\`. ${TOKENS_TEXT}`,
      ),
    ),
    typeTitleTemplates: Type.Optional(
      Type.Record(
        Type.String({ pattern: TYPE_KEY_PATTERN }),
        TitleTemplate('The title template of this type’s entries; must hold `{title}`.'),
        {
          maxProperties: TYPE_TITLE_TEMPLATES_MAX,
          additionalProperties: false,
          description:
            'Title templates of entry pages by content type key, in place of `titleTemplate` (at most 100). An entry’s own `seo.metaTitle` replaces the whole title whatever the template.',
        },
      ),
    ),
    defaultDescription: Type.Optional(
      Type.String({
        maxLength: DEFAULT_DESCRIPTION_MAX_LENGTH,
        description:
          'The meta description of pages that have none of their own (an entry without excerpt or SEO description, an archive without description); empty: the tagline. Up to 300 characters, no control characters.',
      }),
    ),
    twitterSite: Type.Optional(
      Type.String({
        maxLength: 16,
        description:
          'The site’s X (Twitter) account for `twitter:site`: `@` and 1 to 15 letters, digits or underscores; empty for none. Anything else is refused with 400 COLOPHON_SITES_SEO_INVALID.',
      }),
    ),
    image: Type.Optional(
      Type.String({
        maxLength: SEO_IMAGE_MAX_LENGTH,
        description:
          'An absolute `https:` URL of the image social networks show for every page (`og:image`, `twitter:image`, the publisher’s logo in JSON-LD); empty for none. Anything else is refused with 400 COLOPHON_SITES_SEO_INVALID.',
      }),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Search engine and social sharing settings. A PATCH changes the keys it names and keeps the others.',
  },
)
export type SeoSettingsInput = Static<typeof SeoSettingsObject>
/** The SEO settings as read: every key present. */
export type SeoSettings = Required<SeoSettingsInput>

export const DEFAULT_SEO_SETTINGS: Readonly<SeoSettings> = Object.freeze({
  titleTemplate: '{title} – {page} – {site}',
  frontTitleTemplate: '{site} – {tagline} – {page}',
  typeTitleTemplates: Object.freeze({}) as Record<string, string>,
  defaultDescription: '',
  twitterSite: '',
  image: '',
})
