/**
 * Value normalisation shared by both engines, so a query returns the same JavaScript values on PGlite
 * and on PostgreSQL: int8 as a number (counts and sums; values beyond 2^53 stay strings rather than
 * silently losing precision) and `date` as its ISO `YYYY-MM-DD` text (never a Date at local midnight).
 * Timestamps are Date objects on both engines already.
 */

export const OID = { int8: 20, date: 1082 } as const

export function parseInt8(text: string): number | string {
  const value = Number(text)
  return Number.isSafeInteger(value) ? value : text
}

export function parseDate(text: string): string {
  return text
}

/** Parsers keyed by type OID, in the form both drivers accept. */
export const TYPE_PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  [OID.int8]: parseInt8,
  [OID.date]: parseDate,
}
