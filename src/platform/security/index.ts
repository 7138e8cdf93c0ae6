export { hashToken, randomToken, timingSafeEqualText } from './tokens.ts'
export {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
} from './password.ts'
export { assertPasswordPolicy, passwordProblem } from './password-policy.ts'
export { SecurityErrors } from './security.errors.ts'
export type { PasswordProblem } from './password-policy.ts'
