export { hashToken, randomToken, timingSafeEqualText } from './tokens.ts'
export {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  hashPassword,
  verifyAgainstDummy,
  verifyPassword,
} from './password.ts'
