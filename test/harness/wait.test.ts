import { describe, expect, it } from 'vitest'
import { waitFor } from './wait.ts'

describe('waitFor', () => {
  it('returns the first value that holds, polling until then', async () => {
    let calls = 0
    const value = await waitFor(() => (++calls < 3 ? undefined : { calls }), {
      what: 'the third call',
      intervalMs: 1,
    })
    expect(value).toEqual({ calls: 3 })
  })

  it('fails naming what it waited for once the time is up', async () => {
    await expect(
      waitFor(() => false, { what: 'the impossible', timeoutMs: 30, intervalMs: 5 }),
    ).rejects.toThrow(/timed out after 30 ms waiting for the impossible/)
  })

  it('ends at once when the check throws', async () => {
    let calls = 0
    const failing = waitFor(
      () => {
        calls += 1
        throw new Error('broken check')
      },
      { what: 'anything', timeoutMs: 5_000 },
    )
    await expect(failing).rejects.toThrow('broken check')
    expect(calls).toBe(1)
  })
})
