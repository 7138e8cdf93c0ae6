import type { SecretBox } from './secret-box.ts'

/**
 * Re-keying: every stored value not sealed under the current key is opened (with whichever key of the
 * ring sealed it) and sealed again under the current one. Legacy clear values, where a column has them,
 * are sealed the same way. Values that no key opens are counted and left alone, never lost.
 */

/** What a pass did to one column. */
export interface ResealReport {
  /** The column, e.g. `user_totp.secret`. */
  column: string
  /** Values sealed again under the current key (legacy clear values included). */
  resealed: number
  /** Of those, values that were stored in clear. */
  legacy: number
  /** Values no key of the ring opens: left as they are. */
  unreadable: number
  /** The key ids those values name, when known. */
  unknownKeyIds: string[]
}

export interface ResealSource {
  column: string
  /** Rows whose value is not sealed under `currentKeyId`, after `after` in a stable order. */
  page(after: string | null, limit: number, currentKeyId: string): Promise<{ id: string; value: string }[]>
  /** The context a row's value is sealed for. */
  contextOf(id: string): string
  /** Whether a value without the envelope is a legacy clear value to seal (else it is unreadable). */
  acceptsClear: boolean
  /** Replaces `from` with `to` if the row still holds `from`; false when it changed meanwhile. */
  replace(id: string, from: string, to: string): Promise<boolean>
}

const PAGE = 100

export async function resealAll(box: SecretBox, source: ResealSource): Promise<ResealReport> {
  const report: ResealReport = {
    column: source.column,
    resealed: 0,
    legacy: 0,
    unreadable: 0,
    unknownKeyIds: [],
  }
  let after: string | null = null
  for (;;) {
    const rows = await source.page(after, PAGE, box.currentKeyId)
    for (const row of rows) {
      const plain = openForReseal(box, source, row)
      if (plain === null) {
        report.unreadable += 1
        const keyId = box.keyIdOf(row.value)
        if (keyId && !report.unknownKeyIds.includes(keyId)) report.unknownKeyIds.push(keyId)
        continue
      }
      const context = source.contextOf(row.id)
      if (await source.replace(row.id, row.value, box.seal(plain, context))) {
        report.resealed += 1
        if (!box.isSealed(row.value)) report.legacy += 1
      }
    }
    if (rows.length < PAGE) return report
    after = rows[rows.length - 1]?.id ?? null
  }
}

function openForReseal(
  box: SecretBox,
  source: ResealSource,
  row: { id: string; value: string },
): string | null {
  if (!box.isSealed(row.value)) return source.acceptsClear ? row.value : null
  try {
    return box.open(row.value, source.contextOf(row.id))
  } catch {
    return null
  }
}
