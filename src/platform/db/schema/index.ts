/**
 * The one Drizzle schema of Colophon, for both engines. Every table is declared here (one file per
 * concept) so that drizzle-kit generates one ordered migrations folder. Modules reach tables only from
 * their `.repo.ts` files.
 */
import { sites } from './sites.ts'
import { users } from './users.ts'

export { sites, users }

export const schema = { users, sites }
export type Schema = typeof schema
