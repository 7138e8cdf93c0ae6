import { generate } from 'otplib'

const PERIOD_MS = 30_000

/**
 * A real code from the user's "app" for the current time step plus `offset` (the server accepts one step
 * either side). Waits out the last two seconds of a step, so the step cannot change under the request:
 * the one wait is for a fact (the next step), never a fixed delay.
 */
export async function totpCodeFor(secret: string, offset = 0): Promise<string> {
  const left = PERIOD_MS - (Date.now() % PERIOD_MS)
  if (left < 2_000) await new Promise((resolve) => setTimeout(resolve, left + 50))
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offset * 30 })
}
