import { sql } from 'drizzle-orm'
import { statementCache, type StatementRead } from '../../../platform/db/index.ts'
import { shownPublicly } from '../../content/index.ts'

/**
 * The one read behind a reader's media request: the item, whether readers may have it without a
 * signature (a published, public entry shows it in its columns), and the variant asked for, if any.
 */

const itemStatement = statementCache(
  () => sql`select m.id, m.category, m.mime_type, m.filename, m.size_bytes, m.sha256, m.storage_key,
      m.clean_key, m.processing, ${shownPublicly(sql`m.site_id`, sql`m.id`)} as is_public, v.storage_key, v.size_bytes, v.format
    from media m
    left join media_variants v on v.site_id = m.site_id and v.media_id = m.id
      and v.storage_key = ${sql.placeholder('variantKey')}
    where m.site_id = ${sql.placeholder('site')} and m.id = ${sql.placeholder('id')}`,
)

export interface PublicItemRow {
  id: string
  category: string
  mimeType: string
  filename: string
  sizeBytes: number
  sha256: string
  storageKey: string
  cleanKey: string | null
  processing: string
  isPublic: boolean
  variant: { storageKey: string; sizeBytes: number; format: string } | null
}

export async function readPublicItem(
  read: StatementRead,
  q: { siteId: string; id: string; variantKey: string | null },
): Promise<PublicItemRow | undefined> {
  const [row] = await read(itemStatement(null), {
    site: q.siteId,
    id: q.id,
    // A key no variant has when the file itself is asked for: the join then finds nothing.
    variantKey: q.variantKey ?? '',
  })
  if (!row) return undefined
  const [id, category, mimeType, filename, sizeBytes, sha256, storageKey, cleanKey, processing, isPublic] =
    row as [string, string, string, string, number | string, string, string, string | null, string, boolean]
  const [vKey, vSize, vFormat] = row.slice(10) as [string | null, number | string | null, string | null]
  return {
    id,
    category,
    mimeType,
    filename,
    sizeBytes: Number(sizeBytes),
    sha256,
    storageKey,
    cleanKey,
    processing,
    isPublic: isPublic === true || (isPublic as unknown) === 't',
    variant: vKey === null ? null : { storageKey: vKey, sizeBytes: Number(vSize), format: vFormat ?? '' },
  }
}
