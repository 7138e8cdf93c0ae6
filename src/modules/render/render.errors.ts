import { defineError } from '../../platform/errors/index.ts'

/** Errors of the render module (public pages and their themes). */
export const RenderErrors = {
  themeInvalid: defineError(
    'COLOPHON_RENDER_THEME_INVALID',
    400,
    'The theme is not valid: see details for each file or manifest field.',
  ),
  templateFailed: defineError(
    'COLOPHON_RENDER_TEMPLATE_FAILED',
    500,
    'The page could not be rendered: a template of the theme failed (see details).',
  ),
}
