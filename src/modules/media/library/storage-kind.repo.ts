import { eq, sql } from 'drizzle-orm'
import { networkRead, schema, statementCache, type Orm, type Tx } from '../../../platform/db/index.ts'

const kindStatement = statementCache(
  () => sql`select media_storage from sites where id = ${sql.placeholder('site')}`,
)

/**
 * Which storage provider keeps the site's media objects (`local`, `s3`), or undefined for the network's
 * default. Read at network scope: the storage router asks before any site is bound (jobs, the CLI).
 */
export async function readSiteStorageKind(orm: Orm, siteId: string): Promise<'local' | 's3' | undefined> {
  const [row] = await networkRead(orm, 'route a media object to its site’s storage', kindStatement(null), {
    site: siteId,
  })
  const kind = row?.[0]
  return kind === 'local' || kind === 's3' ? kind : undefined
}

/** Records the provider that keeps the site's media from now on (the move command's last step). */
export async function setSiteStorageKind(tx: Tx, siteId: string, kind: 'local' | 's3'): Promise<boolean> {
  const rows = await tx
    .update(schema.sites)
    .set({ mediaStorage: kind, updatedAt: sql`now()` })
    .where(eq(schema.sites.id, siteId))
    .returning({ id: schema.sites.id })
  return rows.length > 0
}
