/**
 * Audit summaries describe a change without its secrets: any key that names a secret is dropped, and
 * long strings are cut. Applied to every summary before it is written, whatever the caller passed.
 */
const SECRET_KEY = /pass(word)?|secret|token|hash|code|otp|totp|challenge|cookie|authorization|csrf|key$/i
const MAX_STRING = 500
const MAX_DEPTH = 4

export function redactSummary(value: unknown, depth = 0): unknown {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value
  if (typeof value === 'string') return value.length > MAX_STRING ? value.slice(0, MAX_STRING) + '…' : value
  if (depth >= MAX_DEPTH) return '[…]'
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redactSummary(v, depth + 1))
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) {
      if (SECRET_KEY.test(key) || v === undefined) continue
      out[key] = redactSummary(v, depth + 1)
    }
    return out
  }
  return undefined
}
