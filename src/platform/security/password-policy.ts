import { readFileSync } from 'node:fs'
import { SecurityErrors } from './security.errors.ts'
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.ts'

/**
 * The password policy: length between the bounds, not one of the commonly used passwords long enough to
 * pass the length rule (bundled list, compared case-insensitively), and not the account's own email
 * address or its local part. Returns the reason a password is refused, or null.
 */
let common: Set<string> | undefined

function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#')),
  )
  return common
}

export type PasswordProblem = 'too_short' | 'too_long' | 'too_common' | 'matches_email'

export function passwordProblem(password: string, context: { email?: string } = {}): PasswordProblem | null {
  if ([...password].length < PASSWORD_MIN_LENGTH) return 'too_short'
  if (password.length > PASSWORD_MAX_LENGTH) return 'too_long'
  const lowered = password.trim().toLowerCase()
  if (commonPasswords().has(lowered)) return 'too_common'
  const email = context.email?.trim().toLowerCase()
  if (email && (lowered === email || lowered === email.split('@')[0])) return 'matches_email'
  return null
}

const MESSAGES: Record<PasswordProblem, string> = {
  too_short: `Use at least ${PASSWORD_MIN_LENGTH} characters.`,
  too_long: `Use at most ${PASSWORD_MAX_LENGTH} characters.`,
  too_common: 'This password is among the most commonly used ones; choose another.',
  matches_email: 'The password must not be your email address.',
}

/** Throws COLOPHON_AUTH_PASSWORD_WEAK naming the rule the password breaks. */
export function assertPasswordPolicy(password: string, context: { email?: string } = {}): void {
  const problem = passwordProblem(password, context)
  if (problem) throw SecurityErrors.passwordWeak({ message: MESSAGES[problem], details: { reason: problem } })
}
