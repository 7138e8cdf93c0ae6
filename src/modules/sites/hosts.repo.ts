import { and, eq } from 'drizzle-orm'
import { schema, type Tx } from '../../platform/db/index.ts'

const { sites, siteDomains } = schema

export interface HostSiteRow {
  id: string
  slug: string
  name: string
  status: string
}

/** The site a verified host name belongs to, whatever the site's status; undefined when none. */
export async function findSiteByVerifiedHost(tx: Tx, host: string): Promise<HostSiteRow | undefined> {
  const [row] = await tx
    .select({ id: sites.id, slug: sites.slug, name: sites.name, status: sites.status })
    .from(siteDomains)
    .innerJoin(sites, eq(sites.id, siteDomains.siteId))
    .where(and(eq(siteDomains.host, host), eq(siteDomains.verificationState, 'verified')))
    .limit(1)
  return row
}
