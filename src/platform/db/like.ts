/**
 * A `LIKE`/`ILIKE` pattern that finds `text` anywhere in a value: the wildcards `%` and `_` and the escape
 * character in the reader's text are escaped, so a search for "50%" finds that and nothing else.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}
