import { describe, expect, it } from 'vitest'
import { parseRange } from './byte-range.ts'

describe('byte ranges', () => {
  it('reads one range in its three spellings', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ kind: 'range', start: 0, end: 0 })
    expect(parseRange('bytes=2-', 10)).toEqual({ kind: 'range', start: 2, end: 9 })
    expect(parseRange('bytes=-3', 10)).toEqual({ kind: 'range', start: 7, end: 9 })
    expect(parseRange('bytes=5-100', 10)).toEqual({ kind: 'range', start: 5, end: 9 })
    expect(parseRange('bytes=-100', 10)).toEqual({ kind: 'range', start: 0, end: 9 })
  })

  it('sends the whole file for what it does not read, and refuses what cannot be met', () => {
    expect(parseRange(undefined, 10)).toEqual({ kind: 'none' })
    for (const ignored of ['bytes=0-1,3-4', 'items=0-1', 'bytes=-', 'bytes=5-2', 'nonsense'])
      expect(parseRange(ignored, 10)).toEqual({ kind: 'none' })
    expect(parseRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=-0', 10)).toEqual({ kind: 'unsatisfiable' })
    expect(parseRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' })
  })
})
