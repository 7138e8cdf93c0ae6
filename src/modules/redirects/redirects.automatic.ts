import type { Ctx } from '../../platform/access/index.ts'
import { newId, type StatementRead, type Tx } from '../../platform/db/index.ts'
import { normaliseFromPath } from './redirects.paths.ts'
import {
  deleteRedirectFrom,
  findTarget,
  lockSiteRedirects,
  retargetRedirects,
  upsertAutomaticRedirect,
} from './redirects.repo.ts'

/**
 * Automatic redirects: when a published entry's public path changes (slug or parent), its old path
 * answers with a 301 to the new one. Called by the workflow inside its own transaction, which audits the
 * change as part of the entry's transition (no audit row here).
 *
 * Three writes keep the table loop-free and chains flat:
 * 1. a redirect whose source is the new path is dropped: that path is live again;
 * 2. redirects that pointed at the old path now point at the new one (A→B then B→C gives A→C);
 * 3. the old path redirects to the new one (unless a manual redirect already owns the old path).
 * The new path has no outgoing redirect after step 1, so nothing can lead back around.
 */
export async function recordPathChange(
  ctx: Ctx,
  tx: Tx,
  change: { fromPath: string; toPath: string; entryId: string },
): Promise<void> {
  const site = ctx.site
  if (!site) return
  const from = normaliseFromPath(change.fromPath)
  const to = normaliseFromPath(change.toPath)
  if (!from.ok || !to.ok) {
    // Permalinks are built from normalised slugs, so this means a template bug, not a user error: the
    // entry's change must not fail because its old path cannot be redirected.
    ctx.log.warn({ change, siteId: site.id }, 'path change not recorded: a path is not a site path')
    return
  }
  if (from.value === to.value) return
  await lockSiteRedirects(tx, site.id)
  await deleteRedirectFrom(tx, site.id, to.value)
  await retargetRedirects(tx, { siteId: site.id, oldTarget: from.value, newTarget: to.value })
  await upsertAutomaticRedirect(tx, {
    id: newId(),
    siteId: site.id,
    fromPath: from.value,
    toPath: to.value,
    statusCode: 301,
    entryId: change.entryId,
  })
}

/**
 * Where a request for `path` on the site should go, or undefined when the path is not redirected. The
 * path is normalised the way stored sources are, so `/caf%c3%a9` finds `/caf%C3%A9`; a query string
 * or fragment is ignored (sources never have one).
 */
export async function resolveRedirect(
  read: StatementRead,
  siteId: string,
  path: string,
): Promise<{ toPath: string; statusCode: number } | undefined> {
  const source = redirectSourceOf(path)
  if (source === undefined) return undefined
  return findTarget(read, siteId, source)
}

/**
 * A request path as redirect sources are stored (to look it up with `redirectTargetColumn`), or
 * undefined when no source can be spelled like it.
 */
export function redirectSourceOf(path: string): string | undefined {
  const normalised = normaliseFromPath(path.replace(/[?#].*$/s, ''))
  return normalised.ok ? normalised.value : undefined
}
