import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { needs } from '../../platform/http/index.ts'
import type { MenuItemInput } from './menus.model.ts'
import {
  CreateMenuBody,
  ListMenusQuery,
  MenuLocationList,
  MenuPage,
  MenuParams,
  MenuView,
  ReplaceItemsBody,
  SiteParams,
  UpdateMenuBody,
} from './menus.schema.ts'
import type { MenusService } from './menus.service.ts'

export interface MenusRoutesOptions {
  service: MenusService
}

type SiteRoute = { Params: { site: string } }
type MenuRoute = { Params: { site: string; id: string } }
const access = needs('site.menus.manage')
const tags = ['menus']

export async function menusRoutes(app: FastifyInstance, { service }: MenusRoutesOptions): Promise<void> {
  app.get<SiteRoute & { Querystring: ListMenusQuery }>(
    '/api/v1/sites/:site/menus',
    {
      config: { access },
      schema: {
        tags,
        summary: 'List a site’s menus',
        description: 'The site’s menus, newest first, without their items; page with `cursor`.',
        params: SiteParams,
        querystring: ListMenusQuery,
        response: { 200: MenuPage },
      },
    },
    async (request) => service.list(request.ctx, request.query),
  )

  app.get<SiteRoute>(
    '/api/v1/sites/:site/menu-locations',
    {
      config: { access },
      schema: {
        tags,
        summary: 'List the menu locations of the site’s theme',
        description:
          'The locations the site’s theme declares (where its templates show a menu), each with the menu assigned to it or null.',
        params: SiteParams,
        response: { 200: MenuLocationList },
      },
    },
    async (request) => service.locations(request.ctx),
  )

  app.get<MenuRoute>(
    '/api/v1/sites/:site/menus/:id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Get a menu with its items',
        description:
          'One menu of the site with its whole item tree. Items keep pointing at their entry or term whatever its status: pages leave out the ones readers may not see.',
        params: MenuParams,
        response: { 200: MenuView },
      },
    },
    async (request) => service.get(request.ctx, request.params.id),
  )

  app.post<SiteRoute & { Body: CreateMenuBody }>(
    '/api/v1/sites/:site/menus',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Create a menu',
        description:
          'An empty menu; give it items with `PUT /menus/{id}/items`. With a `location` it is shown there by the theme (400 COLOPHON_MENUS_LOCATION_UNKNOWN for a location the theme does not declare, 409 COLOPHON_MENUS_LOCATION_TAKEN when another menu has it).',
        params: SiteParams,
        body: CreateMenuBody,
        response: { 201: MenuView },
      },
    },
    async (request, reply) => reply.code(201).send(await service.create(request.ctx, request.body)),
  )

  app.patch<MenuRoute & { Body: UpdateMenuBody }>(
    '/api/v1/sites/:site/menus/:id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Rename or move a menu',
        description:
          'Changes the name and/or the location (null: shown nowhere), with the same location checks as creation.',
        params: MenuParams,
        body: UpdateMenuBody,
        response: { 200: MenuView },
      },
    },
    async (request) => service.update(request.ctx, request.params.id, request.body),
  )

  app.put<MenuRoute & { Body: ReplaceItemsBody }>(
    '/api/v1/sites/:site/menus/:id/items',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Replace a menu’s items',
        description:
          'Replaces the whole item tree with the nested items given, in one transaction: every item is checked first (kind and target field, labels, custom links, depth at most 3, at most 200 items, entries and terms of this site, archive types that exist and are not hierarchical), and one refusal leaves the old tree untouched. Errors name the bad item in `details.item`. Items get new ids.',
        params: MenuParams,
        body: ReplaceItemsBody,
        response: { 200: MenuView },
      },
    },
    async (request) =>
      service.replaceItems(request.ctx, request.params.id, request.body.items as MenuItemInput[]),
  )

  app.delete<MenuRoute>(
    '/api/v1/sites/:site/menus/:id',
    {
      config: { access },
      schema: {
        tags,
        summary: 'Delete a menu',
        description: 'Deletes the menu and its items; its location shows no menu until another is assigned.',
        params: MenuParams,
        response: { 204: Type.Null({ description: 'Deleted.' }) },
      },
    },
    async (request, reply) => {
      await service.remove(request.ctx, request.params.id)
      return reply.code(204).send()
    },
  )
}
