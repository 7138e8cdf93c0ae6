/**
 * The rows of a raw `tx.execute(sql…)`: node-postgres answers `{ rows }`, PGlite the same, other drivers
 * the rows themselves. Typed by the caller, who wrote the select list.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[]
  return ((result as { rows?: T[] }).rows ?? []) as T[]
}
