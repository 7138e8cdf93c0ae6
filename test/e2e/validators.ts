import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { Page } from 'playwright-core'

/**
 * The tools people check pages with: the W3C Nu HTML Checker (vnu.jar from the npm registry, on the
 * machine's Java) and axe-core, run in the page through the devtools protocol (which the page's
 * Content-Security-Policy does not govern).
 */

const require = createRequire(import.meta.url)
const VNU_JAR = require.resolve('vnu-jar/build/dist/vnu.jar')
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')
const run = promisify(execFile)

export interface VnuMessage {
  type: string
  subType?: string
  url?: string
  message: string
  extract?: string
}

/**
 * What the Nu checker reports (errors and warnings alike) on documents given as texts: `.html` names are
 * checked as HTML with their inline CSS, `.css` names as style sheets. The checker refuses loopback URLs,
 * so pages are fetched as served, then checked as files.
 */
export async function vnuMessages(documents: Record<string, string>): Promise<VnuMessage[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'colophon-vnu-'))
  try {
    const html: string[] = []
    const css: string[] = []
    for (const [name, text] of Object.entries(documents)) {
      const file = path.join(dir, name.replace(/[^A-Za-z0-9._-]/g, '_'))
      writeFileSync(file, text)
      ;(name.endsWith('.css') ? css : html).push(file)
    }
    const messages: VnuMessage[] = []
    for (const [args, files] of [
      [['--also-check-css'], html],
      [['--css'], css],
    ] as const) {
      if (files.length === 0) continue
      // vnu exits 1 when it reports anything, its JSON report on stderr; anything else (no Java) fails.
      const result = await run('java', ['-jar', VNU_JAR, '--format', 'json', ...args, ...files], {
        maxBuffer: 16 * 1024 * 1024,
      }).catch((err: { code?: unknown; stderr?: string }) => {
        if (err.code !== 1) throw err
        return { stderr: err.stderr ?? '' }
      })
      messages.push(...(JSON.parse(result.stderr) as { messages: VnuMessage[] }).messages)
    }
    return messages
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** axe-core's violations on the page as it stands. */
export async function axeViolations(page: Page): Promise<unknown[]> {
  await page.evaluate(AXE_SOURCE)
  return page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe
    return (await axe.run()).violations
  })
}
