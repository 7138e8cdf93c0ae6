import { and, count, desc, eq, lt, sql } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { siteDomains } = schema

export type DomainRow = typeof siteDomains.$inferSelect
export type NewDomain = typeof siteDomains.$inferInsert

/**
 * Every query also filters on the site: row-level security already hides other sites' rows from a
 * site-bound transaction, and the explicit filter keeps that true in network-scope transactions too.
 */

export function listDomains(
  tx: Tx,
  q: { siteId: string; before?: string | undefined; limit: number },
): Promise<DomainRow[]> {
  return tx
    .select()
    .from(siteDomains)
    .where(and(eq(siteDomains.siteId, q.siteId), q.before ? lt(siteDomains.id, q.before) : undefined))
    .orderBy(desc(siteDomains.id))
    .limit(q.limit)
}

export async function findDomain(tx: Tx, siteId: string, id: string): Promise<DomainRow | undefined> {
  const [row] = await tx
    .select()
    .from(siteDomains)
    .where(and(eq(siteDomains.siteId, siteId), eq(siteDomains.id, id)))
    // Serialises concurrent changes to one host name (verify, primary, remove).
    .for('update')
  return row
}

/** Inserts a host name; undefined when the name (or, in a race, the primary slot) is already taken. */
export async function insertDomain(tx: Tx, row: NewDomain): Promise<DomainRow | undefined> {
  const [inserted] = await tx.insert(siteDomains).values(row).onConflictDoNothing().returning()
  return inserted
}

export async function siteHostStats(tx: Tx, siteId: string): Promise<{ total: number; primaries: number }> {
  const [row] = await tx
    .select({
      total: count(),
      primaries: sql<number>`count(*) filter (where ${siteDomains.isPrimary})`.mapWith(Number),
    })
    .from(siteDomains)
    .where(eq(siteDomains.siteId, siteId))
  return { total: row?.total ?? 0, primaries: row?.primaries ?? 0 }
}

export async function updateVerification(
  tx: Tx,
  id: string,
  change: { state: 'verified' | 'failed'; verifiedAt: Date | null; isPrimary?: boolean },
): Promise<DomainRow> {
  const [row] = await tx
    .update(siteDomains)
    .set({
      verificationState: change.state,
      verifiedAt: change.verifiedAt,
      ...(change.isPrimary === undefined ? {} : { isPrimary: change.isPrimary }),
    })
    .where(eq(siteDomains.id, id))
    .returning()
  if (!row) throw new TypeError('update of site_domains returned no row')
  return row
}

/** Moves the site's primary flag to `id`: the old primary is cleared first (one primary per site). */
export async function movePrimary(tx: Tx, siteId: string, id: string): Promise<DomainRow> {
  await tx
    .update(siteDomains)
    .set({ isPrimary: false })
    .where(and(eq(siteDomains.siteId, siteId), eq(siteDomains.isPrimary, true)))
  const [row] = await tx
    .update(siteDomains)
    .set({ isPrimary: true })
    .where(eq(siteDomains.id, id))
    .returning()
  if (!row) throw new TypeError('update of site_domains returned no row')
  return row
}

export async function deleteDomain(tx: Tx, id: string): Promise<void> {
  await tx.delete(siteDomains).where(eq(siteDomains.id, id))
}
