export { hashToken, randomToken, timingSafeEqualText, tokenLinkFor } from './tokens.ts'
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
export { createSecretBox, generateKeyText, keyIdOf, parseKey } from './secret-box.ts'
export type { SecretBox } from './secret-box.ts'
export { DEVELOPMENT_KEY_FILE, openKeyring } from './keyring.ts'
export type { Keyring, KeyringSettings } from './keyring.ts'
export { resealAll } from './reseal.ts'
export type { ResealReport, ResealSource } from './reseal.ts'
