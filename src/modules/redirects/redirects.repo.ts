import { and, desc, eq, ilike, lt, ne, or, sql, type SQL } from 'drizzle-orm'
import {
  containsPattern,
  schema,
  statementCache,
  type StatementRead,
  type Tx,
  rowsOf,
} from '../../platform/db/index.ts'

const { redirects } = schema

export type RedirectRow = typeof redirects.$inferSelect
export type NewRedirect = typeof redirects.$inferInsert

/** Longest chain followed when checking for loops; stored chains are far shorter (they are flattened). */
const MAX_CHAIN = 50
/** Stands for "no row to leave out" in queries that can skip the redirect being edited. */
const NO_ID = '00000000-0000-0000-0000-000000000000'

/**
 * Every query filters on the site explicitly; row-level security is the second wall.
 */

/**
 * Serialises redirect writes of one site for the rest of the transaction: the loop check reads the
 * chain and then writes, so two concurrent writes (A→B and B→A) must not both pass it.
 */
export async function lockSiteRedirects(tx: Tx, siteId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`redirects:${siteId}`}, 0))`)
}

export function listRedirects(
  tx: Tx,
  q: { siteId: string; before?: string | undefined; limit: number; automatic?: boolean; search?: string },
): Promise<RedirectRow[]> {
  const pattern = q.search ? containsPattern(q.search) : undefined
  return tx
    .select()
    .from(redirects)
    .where(
      and(
        eq(redirects.siteId, q.siteId),
        q.before ? lt(redirects.id, q.before) : undefined,
        q.automatic === undefined ? undefined : eq(redirects.isAutomatic, q.automatic),
        pattern ? or(ilike(redirects.fromPath, pattern), ilike(redirects.toPath, pattern)) : undefined,
      ),
    )
    .orderBy(desc(redirects.id))
    .limit(q.limit)
}

export async function findRedirect(tx: Tx, siteId: string, id: string): Promise<RedirectRow | undefined> {
  const [row] = await tx
    .select()
    .from(redirects)
    .where(and(eq(redirects.siteId, siteId), eq(redirects.id, id)))
  return row
}

export async function findRedirectFrom(
  tx: Tx,
  siteId: string,
  fromPath: string,
): Promise<RedirectRow | undefined> {
  const [row] = await tx
    .select()
    .from(redirects)
    .where(and(eq(redirects.siteId, siteId), eq(redirects.fromPath, fromPath)))
  return row
}

/** Inserts a redirect; undefined when the site already redirects `fromPath`. */
export async function insertRedirect(tx: Tx, row: NewRedirect): Promise<RedirectRow | undefined> {
  const [inserted] = await tx.insert(redirects).values(row).onConflictDoNothing().returning()
  return inserted
}

export async function updateRedirect(
  tx: Tx,
  siteId: string,
  id: string,
  set: Partial<Pick<RedirectRow, 'fromPath' | 'toPath' | 'statusCode' | 'note' | 'isAutomatic'>>,
): Promise<RedirectRow> {
  const [row] = await tx
    .update(redirects)
    .set({ ...set, updatedAt: new Date() })
    .where(and(eq(redirects.siteId, siteId), eq(redirects.id, id)))
    .returning()
  if (!row) throw new TypeError('update of redirects returned no row')
  return row
}

export async function deleteRedirect(tx: Tx, siteId: string, id: string): Promise<void> {
  await tx.delete(redirects).where(and(eq(redirects.siteId, siteId), eq(redirects.id, id)))
}

export async function deleteRedirectFrom(tx: Tx, siteId: string, fromPath: string): Promise<void> {
  await tx.delete(redirects).where(and(eq(redirects.siteId, siteId), eq(redirects.fromPath, fromPath)))
}

/**
 * The targets met by following redirects from `startPath`, in order (one statement). A target's query
 * and fragment are dropped before the next lookup, as a browser's next request would. `excludeId` leaves
 * out the redirect being edited, whose stored values are about to change.
 */
export async function followChain(
  tx: Tx,
  q: { siteId: string; startPath: string; excludeId?: string | undefined },
): Promise<string[]> {
  const exclude = q.excludeId ?? NO_ID
  const result = await tx.execute(sql`
    with recursive chain(to_path, depth) as (
      select r.to_path, 1 from redirects r
      where r.site_id = ${q.siteId} and r.from_path = ${q.startPath} and r.id <> ${exclude}
      union all
      select r.to_path, c.depth + 1 from chain c
      join redirects r on r.site_id = ${q.siteId}
        and r.from_path = regexp_replace(c.to_path, '[?#].*$', '') and r.id <> ${exclude}
      where c.depth < ${MAX_CHAIN}
    )
    select to_path from chain order by depth`)
  return rowsOf<{ to_path: string }>(result).map((r) => r.to_path)
}

/** Points every redirect whose target is exactly `oldTarget` at `newTarget` (flattening a chain). */
export async function retargetRedirects(
  tx: Tx,
  q: { siteId: string; oldTarget: string; newTarget: string; excludeId?: string | undefined },
): Promise<number> {
  const rows = await tx
    .update(redirects)
    .set({ toPath: q.newTarget, updatedAt: new Date() })
    .where(
      and(
        eq(redirects.siteId, q.siteId),
        eq(redirects.toPath, q.oldTarget),
        q.excludeId ? ne(redirects.id, q.excludeId) : undefined,
      ),
    )
    .returning({ id: redirects.id })
  return rows.length
}

/**
 * Records the automatic redirect `fromPath → toPath`. An automatic redirect already there is pointed at
 * the new path; a manual one is left alone (someone chose where that old path leads).
 */
export async function upsertAutomaticRedirect(tx: Tx, row: NewRedirect): Promise<void> {
  await tx
    .insert(redirects)
    .values({ ...row, isAutomatic: true })
    .onConflictDoUpdate({
      target: [redirects.siteId, redirects.fromPath],
      set: { toPath: row.toPath, statusCode: 301, entryId: row.entryId, updatedAt: new Date() },
      setWhere: sql`${redirects.isAutomatic}`,
    })
}

const targetStatement = statementCache(
  () => sql`select ${redirects.toPath}, ${redirects.statusCode} from ${redirects}
    where ${redirects.siteId} = ${sql.placeholder('site')} and ${redirects.fromPath} = ${sql.placeholder('path')}`,
)

/**
 * The redirect of a normalised source path as one JSON value (`{ toPath, statusCode }`, or null), for a
 * statement that reads more in the same round trip: the page service reads it with the site.
 */
export function redirectTargetColumn(site: SQL, path: SQL): SQL {
  return sql`(select json_build_object('toPath', ${redirects.toPath}, 'statusCode', ${redirects.statusCode})
    from ${redirects} where ${redirects.siteId} = ${site} and ${redirects.fromPath} = ${path})`
}

/** The redirect of a (normalised) source path: one compiled read. */
export async function findTarget(
  read: StatementRead,
  siteId: string,
  path: string,
): Promise<{ toPath: string; statusCode: number } | undefined> {
  const [row] = await read(targetStatement(null), { site: siteId, path })
  if (!row) return undefined
  const [toPath, statusCode] = row as [string, number]
  return { toPath, statusCode }
}
