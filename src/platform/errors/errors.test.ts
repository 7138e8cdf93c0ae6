import { describe, expect, it } from 'vitest'
import { AppError, defineError, listErrors } from './errors.ts'

describe('defineError', () => {
  it('builds coded errors that carry status, message and details', () => {
    const Gone = defineError('COLOPHON_TEST_GONE', 410, 'It is gone.')
    const err = Gone({ details: { id: 'x' } })
    expect(err).toBeInstanceOf(AppError)
    expect(err).toMatchObject({
      code: 'COLOPHON_TEST_GONE',
      status: 410,
      message: 'It is gone.',
      details: { id: 'x' },
    })
    expect(Gone.is(err)).toBe(true)
    expect(Gone.is(new Error('x'))).toBe(false)
    expect(listErrors().map((e) => e.code)).toContain('COLOPHON_TEST_GONE')
  })

  it('refuses codes outside the COLOPHON_<MODULE>_<REASON> shape and non-error statuses', () => {
    expect(() => defineError('TEST_GONE', 410, 'x')).toThrow(/must look like/)
    expect(() => defineError('COLOPHON_GONE', 410, 'x')).toThrow(/must look like/)
    expect(() => defineError('COLOPHON_TEST_OK', 200, 'x')).toThrow(/HTTP status/)
  })

  it('refuses one code with two meanings', () => {
    defineError('COLOPHON_TEST_TWICE', 409, 'Same.')
    expect(() => defineError('COLOPHON_TEST_TWICE', 409, 'Same.')).not.toThrow()
    expect(() => defineError('COLOPHON_TEST_TWICE', 400, 'Different.')).toThrow(/declared twice/)
  })
})
