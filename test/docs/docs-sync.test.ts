import { globSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeAll, describe, expect, it } from 'vitest'
import { CONFIG_KEYS } from '../../src/platform/config/index.ts'
import { listErrors } from '../../src/platform/errors/index.ts'

/** Documentation that must follow the code: the error registry and the configuration schema. */
const root = fileURLToPath(new URL('../../', import.meta.url))
const read = (file: string) => readFileSync(root + file, 'utf8')

beforeAll(async () => {
  // Every module declares its errors in *.errors.ts; importing them all fills the registry.
  for (const file of globSync('src/**/*.errors.ts', { cwd: root })) await import(root + file)
})

describe('docs/errors.md', () => {
  it('lists exactly the registered error codes, with their HTTP statuses', () => {
    const documented = new Map<string, number>()
    for (const match of read('docs/errors.md').matchAll(
      /^\|\s*`(COLOPHON_[A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm,
    )) {
      documented.set(match[1] as string, Number(match[2]))
    }
    const registered = new Map(listErrors().map((e) => [e.code, e.status]))
    expect(registered.size).toBeGreaterThan(10)
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(registered))
  })
})

describe('configuration docs', () => {
  it.each(['docs/configuration.md', 'README.md'])('%s names every configuration variable', (file) => {
    const text = read(file)
    const missing = CONFIG_KEYS.map((k) => k.envName).filter((name) => !text.includes('`' + name + '`'))
    expect(missing).toEqual([])
  })
})
