import type { UserStanding } from './principal.repo.ts'

/** What a signed-in user must do before anything else: enrol in 2FA (their role requires it), or change
 * the password they were given. */
export type Restriction = 'enrol_2fa' | 'change_password' | null

export function restrictionOf(standing: UserStanding): Restriction {
  if (standing.requires2fa && !standing.hasTotp) return 'enrol_2fa'
  if (standing.mustChangePassword) return 'change_password'
  return null
}
