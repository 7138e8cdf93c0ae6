/**
 * The one Drizzle schema of Colophon, for both engines. Every table is declared here (one file per
 * concept) so that drizzle-kit generates one ordered migrations folder. Modules reach tables only from
 * their `.repo.ts` files.
 *
 * Lists newest first by id (`orderBy(desc(t.id))`, which is `DESC NULLS FIRST`) are served by an ascending
 * index on `(scope, id)` scanned backwards. Drizzle's `.desc()` makes a `DESC NULLS LAST` column, which
 * that ORDER BY cannot use: PostgreSQL then sorts every row of the scope. See docs/operations.md.
 */
import { auditLog } from './audit.ts'
import { apiKeys, authChallenges, userRecoveryCodes, userSessions, userTokens, userTotp } from './auth.ts'
import {
  contentTypes,
  entries,
  entryApprovals,
  entryRelations,
  entryTerms,
  entryTransitions,
  fieldGroups,
  redirects,
  revisions,
  series,
  seriesEntries,
  taxonomies,
  terms,
} from './content.ts'
import { jobRuns, jobs } from './jobs.ts'
import { mailOutbox, mailQueue } from './mail.ts'
import { menuItems, menus } from './menus.ts'
import { entryMedia, media, mediaFolders, mediaVariants } from './media.ts'
import { siteInvitations, siteMembers } from './members.ts'
import { entryPreviews } from './previews.ts'
import { roles } from './roles.ts'
import { siteDomains, sites } from './sites.ts'
import { siteThemes, themeFiles, themeRenderErrors, themes } from './themes.ts'
import { users } from './users.ts'

export {
  apiKeys,
  auditLog,
  authChallenges,
  contentTypes,
  entries,
  entryApprovals,
  entryMedia,
  entryPreviews,
  entryRelations,
  entryTerms,
  entryTransitions,
  fieldGroups,
  jobRuns,
  jobs,
  mailOutbox,
  mailQueue,
  media,
  mediaFolders,
  mediaVariants,
  menuItems,
  menus,
  redirects,
  revisions,
  series,
  seriesEntries,
  taxonomies,
  terms,
  roles,
  siteDomains,
  siteInvitations,
  siteMembers,
  siteThemes,
  sites,
  themeFiles,
  themeRenderErrors,
  themes,
  userRecoveryCodes,
  userSessions,
  userTokens,
  userTotp,
  users,
}

export const schema = {
  users,
  sites,
  media,
  mediaFolders,
  mediaVariants,
  entryMedia,
  siteDomains,
  roles,
  userSessions,
  authChallenges,
  userTotp,
  userRecoveryCodes,
  userTokens,
  apiKeys,
  siteMembers,
  siteInvitations,
  auditLog,
  mailOutbox,
  mailQueue,
  fieldGroups,
  contentTypes,
  entries,
  revisions,
  entryTransitions,
  entryApprovals,
  entryRelations,
  series,
  seriesEntries,
  taxonomies,
  terms,
  entryTerms,
  redirects,
  menus,
  menuItems,
  themes,
  themeFiles,
  siteThemes,
  themeRenderErrors,
  entryPreviews,
  jobs,
  jobRuns,
}
export type Schema = typeof schema
