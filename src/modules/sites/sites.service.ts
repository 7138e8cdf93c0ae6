import { newId, type Tx } from '../../platform/db/index.ts'
import { insertSite } from './sites.repo.ts'

export interface SiteSummary {
  id: string
  name: string
  slug: string
  isMain: boolean
}

/**
 * Turns a display name into a slug: lower-case ASCII letters, digits and single hyphens, at most 63
 * characters (one DNS label, since a slug can become a subdomain). Accents are folded ("Café" → "cafe").
 */
export function slugFromName(name: string, fallback = 'main'): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '')
  return slug || fallback
}

/** Creates the main site (the one on the network's root domain) inside the caller's transaction. */
export async function createMainSite(tx: Tx, input: { name: string; ownerId: string }): Promise<SiteSummary> {
  const row = await insertSite(tx, {
    id: newId(),
    name: input.name.trim(),
    slug: slugFromName(input.name),
    isMain: true,
    ownerId: input.ownerId,
  })
  return { id: row.id, name: row.name, slug: row.slug, isMain: row.isMain }
}
