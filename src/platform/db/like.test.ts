import { describe, expect, it } from 'vitest'
import { containsPattern } from './like.ts'

describe('containsPattern', () => {
  it('matches the text anywhere, its own wildcards and escapes taken literally', () => {
    expect(containsPattern('harbour')).toBe('%harbour%')
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%')
  })
})
