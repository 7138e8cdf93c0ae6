/**
 * Cursor pagination, the one way lists page in Colophon: a repository reads `limit + 1` rows ordered by
 * a time-ordered key (UUIDv7 ids), and the extra row only says that another page exists. The cursor is
 * the key of the last item shown.
 */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export function pageOf<R, T>(
  rows: readonly R[],
  limit: number,
  view: (row: R) => T,
  cursorOf: (row: R) => string,
): Page<T> {
  const shown = rows.slice(0, limit)
  const last = shown[shown.length - 1]
  return {
    items: shown.map(view),
    nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null,
  }
}
