/**
 * The `Range` header of a GET, as files served by Colophon read it: one range of bytes (`bytes=a-b`,
 * `bytes=a-`, `bytes=-n`). Several ranges, other units and malformed values are ignored (the whole file is
 * sent, as RFC 9110 allows); a range that starts past the end cannot be satisfied (416).
 */
export type RangeRequest =
  { kind: 'none' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' }

const SINGLE = /^bytes=(\d*)-(\d*)$/

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'none' }
  const match = SINGLE.exec(header.trim())
  if (!match) return { kind: 'none' }
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return { kind: 'none' }
  if (first === '') {
    // The last n bytes.
    const suffix = Number(last)
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1)
  if (!Number.isSafeInteger(start) || start >= size) return { kind: 'unsatisfiable' }
  if (end < start) return { kind: 'none' }
  return { kind: 'range', start, end }
}
