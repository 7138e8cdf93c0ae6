// Fails (exit 1) when a file git knows about looks like it holds a credential, listing file:line.
// Run: `npm run scan:secrets` (CI runs it before anything else). No dependencies on purpose: it must
// run before and independently of the rest of the toolchain.
//
// A deliberate, harmless match (a documented example, a fixture) is accepted when its line carries
// the marker `secret-scan: allow` in a comment. Test files (test/**, *.test.ts) may also hold
// password literals, but never real keys or tokens.
import { execFileSync } from 'node:child_process'
import { lstatSync, readFileSync } from 'node:fs'

interface Detector {
  name: string
  pattern: RegExp
  /** When true, test files are exempt (throwaway passwords in fixtures are normal). */
  skipInTests?: boolean
}

const DETECTORS: Detector[] = [
  { name: 'private key', pattern: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/ },
  { name: 'AWS access key id', pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}/ },
  { name: 'GitHub fine-grained token', pattern: /\bgithub_pat_[A-Za-z0-9_]{50,}/ },
  { name: 'Slack token', pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  {
    name: 'Slack webhook',
    pattern: /hooks\.slack\.com\/services\/T[A-Za-z0-9]+\/B[A-Za-z0-9]+\/[A-Za-z0-9]+/,
  },
  { name: 'npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  {
    name: 'password literal',
    pattern: /password["']?\s*[:=]\s*['"][^'"]{8,}['"]/i,
    skipInTests: true,
  },
]

const ALLOW_MARKER = 'secret-scan: allow'
const MAX_BYTES = 2 * 1024 * 1024 // bigger files are data or vendored assets, not hand-written config

function isTestFile(file: string): boolean {
  return /(^|\/)test\//.test(file) || /\.test\.[cm]?[jt]sx?$/.test(file)
}

function listFiles(): string[] {
  // Tracked files plus new files not yet added (but not ignored ones), so a secret is caught before
  // its first commit when run locally; on a clean CI clone this is exactly `git ls-files`.
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
  return [...new Set(out.split('\0').filter(Boolean))]
}

function readText(file: string): string | undefined {
  try {
    const stat = lstatSync(file)
    if (!stat.isFile() || stat.size > MAX_BYTES) return undefined
    const buf = readFileSync(file)
    return buf.includes(0) ? undefined : buf.toString('utf8') // NUL byte: binary file
  } catch {
    return undefined // listed by git but deleted from the working tree
  }
}

const findings: string[] = []
for (const file of listFiles()) {
  const text = readText(file)
  if (text === undefined) continue
  const inTest = isTestFile(file)
  text.split('\n').forEach((line, index) => {
    if (line.includes(ALLOW_MARKER)) return
    for (const detector of DETECTORS) {
      if (detector.skipInTests && inTest) continue
      if (detector.pattern.test(line)) findings.push(`${file}:${index + 1}: possible ${detector.name}`)
    }
  })
}

if (findings.length > 0) {
  console.error(findings.join('\n'))
  console.error(`\nsecret scan: ${findings.length} finding(s). Remove the secret (and rotate it), or mark a`)
  console.error(`harmless line with a "${ALLOW_MARKER}" comment.`)
  process.exit(1)
}
console.log('secret scan: no findings')
