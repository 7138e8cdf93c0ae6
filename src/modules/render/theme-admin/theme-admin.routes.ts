import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { PlatformErrors } from '../../../platform/errors/index.ts'
import { needs } from '../../../platform/http/index.ts'
import { THEME_ARCHIVE_LIMITS } from '../themes/index.ts'
import {
  InstallThemeBody,
  InstallThemeQuery,
  ListThemesQuery,
  RenderErrorList,
  SiteParams,
  SiteThemeView,
  ThemePage,
  ThemeParams,
  ThemeView,
  UpdateSiteThemeBody,
} from './theme-admin.schema.ts'
import type { SiteThemeService } from './site-theme.service.ts'
import type { ThemesService } from './themes.service.ts'

export interface ThemeAdminRoutesOptions {
  themes: ThemesService
  siteTheme: SiteThemeService
}

type ThemeRoute = { Params: { id: string } }
type SiteRoute = { Params: { site: string } }
const network = needs('network.themes.manage')
const site = needs('site.themes.manage')
const tags = ['themes']

/**
 * `/api/v1/themes` (network admins: installed and bundled themes, install from a `.zip`) and
 * `/api/v1/sites/{site}/theme…` (site admins: the site's theme, its settings, its render errors).
 */
export async function themeAdminRoutes(
  app: FastifyInstance,
  { themes, siteTheme }: ThemeAdminRoutesOptions,
): Promise<void> {
  // Archives arrive as raw bytes; the route's body limit stops an oversized upload while it streams in.
  // Registered in this plugin only: no other route accepts a zip.
  app.addContentTypeParser('application/zip', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  )

  app.get<{ Querystring: ListThemesQuery }>(
    '/api/v1/themes',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'List the network’s themes',
        description:
          'Bundled and installed themes in id order, each with the number of live sites using it; page with `cursor` (the last id of the previous page).',
        querystring: ListThemesQuery,
        response: { 200: ThemePage },
      },
    },
    async (request) => themes.list(request.ctx, request.query),
  )

  app.get<ThemeRoute>(
    '/api/v1/themes/:id',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'Get a theme',
        description: 'One bundled or installed theme, with the number of live sites using it.',
        params: ThemeParams,
        response: { 200: ThemeView },
      },
    },
    async (request) => themes.get(request.ctx, request.params.id),
  )

  app.post<{ Querystring: InstallThemeQuery; Body: Buffer }>(
    '/api/v1/themes',
    {
      config: { access: network },
      bodyLimit: THEME_ARCHIVE_LIMITS.archiveBytes,
      schema: {
        tags,
        summary: 'Install a theme from a .zip',
        description: [
          'The body is the theme as a `.zip` (`content-type: application/zip`, at most 24 MiB; one top folder is stripped). ',
          'Archive refusals name the entry and the rule in `details` (`{ rule, path, message }`): 400 COLOPHON_THEMES_ARCHIVE_INVALID ',
          'for unsafe names (absolute paths, `..`, backslashes), symbolic links, duplicate names, encryption or damage; 413 ',
          'COLOPHON_THEMES_ARCHIVE_TOO_LARGE for too many files, a file or the whole over its size limit, or a compression ratio ',
          'over 100. Then the theme itself is checked: 400 COLOPHON_RENDER_THEME_INVALID lists every file or manifest field at ',
          'fault (allowed file types, the manifest, every template and partial must parse). An installed id answers 409 ',
          'COLOPHON_THEMES_ALREADY_INSTALLED unless `replace=true` (an update: 200); a bundled id 409 COLOPHON_THEMES_BUNDLED.',
        ].join(''),
        querystring: InstallThemeQuery,
        body: { content: { 'application/zip': { schema: InstallThemeBody } } },
        response: { 200: ThemeView, 201: ThemeView },
      },
    },
    async (request, reply) => {
      // A JSON (or any other parsed) body is not an archive: only the zip parser above yields bytes.
      if (!Buffer.isBuffer(request.body))
        throw PlatformErrors.unsupportedMediaType({ details: { expected: 'application/zip' } })
      const result = await themes.install(request.ctx, request.body, { replace: request.query.replace })
      return reply.code(result.replaced ? 200 : 201).send(result.theme)
    },
  )

  app.delete<ThemeRoute>(
    '/api/v1/themes/:id',
    {
      config: { access: network },
      schema: {
        tags,
        summary: 'Delete an installed theme',
        description:
          'Removes an installed theme and its files. Refused with 409 COLOPHON_THEMES_IN_USE while a live site uses it (`details.sites`), and with 409 COLOPHON_THEMES_BUNDLED for a bundled theme.',
        params: ThemeParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await themes.remove(request.ctx, request.params.id)
      return reply.code(204).send()
    },
  )

  app.get<SiteRoute & { Querystring: ListThemesQuery }>(
    '/api/v1/sites/:site/themes',
    {
      config: { access: site },
      schema: {
        tags,
        summary: 'List the themes a site can use',
        description:
          'Every bundled and installed theme of the network in id order, with its settings schema and menu locations; page with `cursor`.',
        params: SiteParams,
        querystring: ListThemesQuery,
        response: { 200: ThemePage },
      },
    },
    async (request) => siteTheme.choices(request.ctx, request.query),
  )

  app.get<SiteRoute>(
    '/api/v1/sites/:site/theme',
    {
      config: { access: site },
      schema: {
        tags,
        summary: 'Get the site’s theme',
        description:
          'The theme the site’s pages use, every setting’s value (defaults filled in) and the settings schema. A site that never chose has the default theme.',
        params: SiteParams,
        response: { 200: SiteThemeView },
      },
    },
    async (request) => siteTheme.get(request.ctx),
  )

  app.put<SiteRoute & { Body: UpdateSiteThemeBody }>(
    '/api/v1/sites/:site/theme',
    {
      config: { access: site },
      schema: {
        tags,
        summary: 'Choose the site’s theme or change its settings',
        description:
          'Send `themeId` to switch themes (404 COLOPHON_THEMES_NOT_FOUND for an unknown id) and/or `settings` to change values. Switching keeps the settings the new theme declares with values it accepts; the others are dropped.',
        params: SiteParams,
        body: UpdateSiteThemeBody,
        response: { 200: SiteThemeView },
      },
    },
    async (request) => siteTheme.update(request.ctx, request.body),
  )

  app.get<SiteRoute>(
    '/api/v1/sites/:site/theme/errors',
    {
      config: { access: site },
      schema: {
        tags,
        summary: 'List the site’s last render errors',
        description:
          'Pages of the site that failed because of the theme, newest first: when, the path, the template, the engine’s message and the request id the reader was shown. The latest 50 are kept.',
        params: SiteParams,
        response: { 200: RenderErrorList },
      },
    },
    async (request) => siteTheme.errors(request.ctx),
  )
}
