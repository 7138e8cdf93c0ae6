import type { Ctx } from '../../platform/access/index.ts'
import type { Tx } from '../../platform/db/index.ts'
import { resealAll, type ResealReport, type SecretBox } from '../../platform/security/index.ts'
import { listTotpSecretsToReseal, replaceTotpSecret, type TotpRow } from './totp.repo.ts'

/**
 * TOTP secrets at rest: sealed by the secret box for their user (`user_totp:<user id>`), so the column
 * never holds a usable secret and a value copied to another user's row does not open there. Rows from
 * before encryption hold the clear base32 secret (no `v1:` prefix); they are sealed on first use, by the
 * start-up maintenance pass and by `colophon secrets rotate`, which also moves rows off older keys.
 */

const contextOf = (userId: string) => `user_totp:${userId}`

export function sealTotpSecret(box: SecretBox, userId: string, secret: string): string {
  return box.seal(secret, contextOf(userId))
}

/**
 * The clear secret of a row, sealing the stored value again (in the caller's transaction) when it is a
 * legacy clear value or sealed under an older key.
 */
export async function openTotpSecret(
  tx: Tx,
  box: SecretBox,
  totp: Pick<TotpRow, 'userId' | 'secret'>,
): Promise<string> {
  const stored = totp.secret
  const secret = box.isSealed(stored) ? box.open(stored, contextOf(totp.userId)) : stored
  if (!box.isCurrent(stored)) {
    await replaceTotpSecret(tx, totp.userId, stored, sealTotpSecret(box, totp.userId, secret))
  }
  return secret
}

/** Seals every TOTP secret not under the current key again (legacy clear ones included). */
export function resealTotpSecrets(ctx: Ctx, box: SecretBox): Promise<ResealReport> {
  return resealAll(box, {
    column: 'user_totp.secret',
    acceptsClear: true,
    contextOf,
    page: (after, limit, currentKeyId) =>
      ctx.tx(async (tx) =>
        (await listTotpSecretsToReseal(tx, { currentKeyId, after, limit })).map((r) => ({
          id: r.userId,
          value: r.secret,
        })),
      ),
    replace: (userId, from, to) => ctx.tx((tx) => replaceTotpSecret(tx, userId, from, to)),
  })
}
