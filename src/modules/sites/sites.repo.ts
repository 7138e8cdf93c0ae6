import { schema, type Tx } from '../../platform/db/index.ts'

const { sites } = schema

export type SiteRow = typeof sites.$inferSelect

export async function insertSite(
  tx: Tx,
  input: { id: string; name: string; slug: string; isMain: boolean; ownerId: string },
): Promise<SiteRow> {
  const [row] = await tx.insert(sites).values(input).returning()
  if (!row) throw new TypeError('insert into sites returned no row')
  return row
}
