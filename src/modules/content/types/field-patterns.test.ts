import { RE2JS } from 're2js'
import { describe, expect, it } from 'vitest'
import { MAX_PATTERN_PROGRAM_SIZE, compilePattern } from './field-patterns.ts'
import { TEXT_MAX_LENGTH, valueProblem, type FieldDef } from './field-values.ts'
import { checkFieldDefs } from './fields.ts'

const text = (pattern: string): FieldDef => ({ key: 'x', label: 'X', type: 'text', pattern })
const fill = (unit: string, length: number, tail = '') =>
  unit.repeat(length).slice(0, length - tail.length) + tail

/**
 * Patterns that take exponential (or high-polynomial) time on a backtracking engine, each with an
 * adversarial value of the longest length a text field accepts, and whether it matches.
 */
const CATASTROPHIC: Array<[pattern: string, value: string, matches: boolean]> = [
  ['^(a+)+$', fill('a', TEXT_MAX_LENGTH, '!'), false],
  ['(a|aa)+$', fill('a', TEXT_MAX_LENGTH, '!'), false],
  ['(a|a?)+$', fill('a', TEXT_MAX_LENGTH, '!'), true],
  ['(.*a){20}', 'a'.repeat(19) + 'x'.repeat(TEXT_MAX_LENGTH - 19), false],
  ['^(\\w+\\s?)*$', fill('a', TEXT_MAX_LENGTH, '!'), false],
  ['(x+x+)+y', fill('x', TEXT_MAX_LENGTH), false],
]

describe('field patterns', () => {
  it.each(CATASTROPHIC)(
    'runs %s on the linear-time engine, answering for a 65,536-character adversarial value',
    (pattern, value, matches) => {
      const compiled = compilePattern(pattern)
      // The engine first: a backtracking one would not return from the match below for hours.
      expect(compiled.ok && compiled.regex).toBeInstanceOf(RE2JS)
      expect(value).toHaveLength(TEXT_MAX_LENGTH)
      expect(valueProblem(text(pattern), value)?.code).toBe(matches ? undefined : 'pattern')
    },
    10_000,
  )

  it.each([
    ['(a)\\1', 'a backreference'],
    ['(?<word>a+)-\\k<word>', 'a named backreference'],
    ['a(?=b)', 'a lookahead'],
    ['a(?!b)', 'a negative lookahead'],
    ['(?<=a)b', 'a lookbehind'],
    ['(?<!a)b', 'a negative lookbehind'],
    ['\\p{Letter}+', 'a Unicode property name RE2 does not know'],
    [`(\\p{L}|\\p{N}|\\p{P}){0,999}`, `more than ${MAX_PATTERN_PROGRAM_SIZE} instructions`],
  ])('refuses %s (%s) as unsupported', (pattern) => {
    const compiled = compilePattern(pattern)
    expect(compiled.ok ? 'ok' : compiled.problem.code).toBe('pattern_unsupported')
  })

  it('refuses invalid and over-long patterns as invalid, not unsupported', () => {
    for (const pattern of ['(', '[a-', 'a{2,1}', '\\q', 'a'.repeat(201)]) {
      const compiled = compilePattern(pattern)
      expect(compiled.ok ? 'ok' : compiled.problem.code, pattern).toBe('pattern')
    }
  })

  it('keeps the JavaScript syntax admins write: named groups, \\u escapes, [^], slashes, properties', () => {
    const cases: Array<[string, string, boolean]> = [
      ['^(?<year>\\d{4})-\\d{2}$', '2025-03', true],
      ['^\\u{1F600}$', '😀', true],
      ['^caf\\u00e9$', 'café', true],
      ['^[^]{3}$', 'a\nb', true],
      ['^\\d+/\\d+$', '3/4', true],
      ['^\\p{Lu}\\p{Ll}+$', 'Émile', true],
      ['^\\p{L}+$', 'émile!', false],
      ['^.$', '😀', true],
      ['^#[0-9a-f]{6}$', '#00FF00', false],
      ['^(?i:#[0-9a-f]{6})$', '#00FF00', true],
    ]
    for (const [pattern, value, matches] of cases)
      expect(valueProblem(text(pattern), value)?.code, `${pattern} on ${value}`).toBe(
        matches ? undefined : 'pattern',
      )
  })

  it('refuses values of a stored pattern the engine cannot run, saying why, instead of running it', () => {
    expect(valueProblem(text('^(a+)\\1$'), 'aa')?.code).toBe('pattern_unsupported')
  })

  it('lists an unsupported pattern among the problems of a schema, keyed by field', () => {
    const problems = checkFieldDefs(
      [
        { key: 'code', label: 'Code', type: 'text', pattern: '^(\\d)\\1$' },
        { key: 'ok', label: 'OK', type: 'text', pattern: '^(a+)+$' },
        { key: 'bad', label: '', type: 'text', pattern: '(' },
      ],
      new Set(['post']),
    )
    expect(problems.code?.map((p) => p.code)).toEqual(['pattern_unsupported'])
    expect(problems.ok).toBeUndefined()
    expect(problems.bad?.map((p) => p.code)).toEqual(['label', 'pattern'])
  })
})
