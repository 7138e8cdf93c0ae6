import type { Ctx } from '../../../platform/access/index.ts'
import type { Tx } from '../../../platform/db/index.ts'
import { reassignAuthor } from './entries.repo.ts'

/**
 * The content module's part in deleting a user (wired into the users module's deletion hooks): with
 * `reassignTo`, every entry the user authored, on any site, passes to that user in the deletion's own
 * transaction; without it, entries stay attributed to the anonymised account.
 */
export async function reassignEntriesOfDeletedUser(
  ctx: Ctx,
  tx: Tx,
  input: { userId: string; reassignTo: string | null },
): Promise<void> {
  if (input.reassignTo === null) return
  const moved = await reassignAuthor(tx, input.userId, input.reassignTo)
  if (moved > 0) ctx.log.info({ moved, to: input.reassignTo }, 'entries of a deleted user reassigned')
}
