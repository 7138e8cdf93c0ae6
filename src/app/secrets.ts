import { asSystem, type CtxLogger } from '../platform/access/index.ts'
import type { Orm } from '../platform/db/index.ts'
import { resealMailBodies } from '../platform/mail/index.ts'
import type { ResealReport, SecretBox } from '../platform/security/index.ts'
import { resealTotpSecrets } from '../modules/auth/index.ts'

/**
 * Every column that holds secrets sealed by the secret box, sealed again under the current key: legacy
 * clear 2FA secrets and values under a previous key. One list, used by the maintenance pass and by
 * `colophon secrets rotate`; a new sealed column is added here.
 */
export async function resealStoredSecrets(deps: {
  orm: Orm
  box: SecretBox
  log: CtxLogger
}): Promise<ResealReport[]> {
  const ctx = asSystem({ orm: deps.orm, reason: 'seal stored secrets under the current key', log: deps.log })
  const reports = [await resealTotpSecrets(ctx, deps.box), await resealMailBodies(ctx, deps.box)]
  for (const report of reports) {
    if (report.resealed > 0) deps.log.info({ ...report }, 'stored secrets sealed under the current key')
    if (report.unreadable > 0) {
      deps.log.error(
        { ...report },
        'stored secrets that no configured key opens: add their key to COLOPHON_ENCRYPTION_PREVIOUS_KEYS',
      )
    }
  }
  return reports
}
