import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { PUBLIC } from '../../platform/http/index.ts'
import { ACCOUNT_PAGES, renderAccountPage } from './account.pages.ts'

const CLIENT_SCRIPT = readFileSync(new URL('./account.client.js', import.meta.url), 'utf8')

/** The pages behind emailed links (reset, invitation, email change) and their one script. */
export async function accountRoutes(app: FastifyInstance): Promise<void> {
  for (const page of ACCOUNT_PAGES) {
    const html = renderAccountPage(page)
    app.get(page.path, { config: { access: PUBLIC }, schema: { hide: true } }, async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        // The fragment holds a live token: keep the page out of caches and its address out of Referer.
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .send(html),
    )
  }
  app.get(
    '/admin/account.js',
    { config: { access: PUBLIC }, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(CLIENT_SCRIPT),
  )
}
