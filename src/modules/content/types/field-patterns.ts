import { RE2JS } from 're2js'

/**
 * Field patterns (the `pattern` of text, email and url fields). Site administrators write them and every
 * entry save runs them against values of up to 65,536 characters. JavaScript's own `RegExp` backtracks:
 * `^(a+)+$` against 30 `a`s and a `!` takes minutes, freezing the node for every site it serves. So
 * patterns run on RE2 (`re2js`, a pure-JavaScript port), whose matching time is linear in the input.
 *
 * A pattern is written in JavaScript syntax (Unicode mode) and must also be expressible in RE2: no
 * backreferences, no lookahead or lookbehind, only the Unicode property names RE2 knows (`\p{L}`,
 * `\p{Greek}`). A pattern that is not is refused when its type or field group is saved
 * (`pattern_unsupported`), never later. Its compiled size is capped too: matching time is linear in the
 * input but proportional to the program, and `(\p{L}|\p{N}){0,999}` would still cost seconds per value.
 */

export const MAX_PATTERN_LENGTH = 200
/** RE2 program instructions; realistic patterns stay under a few hundred. */
export const MAX_PATTERN_PROGRAM_SIZE = 1000

/** Why a pattern cannot be used: a field problem (`details.fields`) of the definition or of a value. */
export interface PatternProblem {
  code: 'pattern' | 'pattern_unsupported'
  message: string
}

export type CompiledPattern = { ok: true; regex: RE2JS } | { ok: false; problem: PatternProblem }

const invalid = (message: string): CompiledPattern => ({ ok: false, problem: { code: 'pattern', message } })
const unsupported = (message: string): CompiledPattern => ({
  ok: false,
  problem: { code: 'pattern_unsupported', message },
})

/**
 * The construct RE2 cannot run, found by a scan that skips escapes and character classes, or undefined.
 * `translateRegExp` would otherwise turn the named backreference `\k<n>` into the literal `k<n>`.
 */
function unsupportedConstruct(text: string): string | undefined {
  let inClass = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '\\') {
      const next = text[i + 1] ?? ''
      if (!inClass && (next === 'k' || (next >= '1' && next <= '9')))
        return 'Backreferences (\\1, \\k<name>) are not supported.'
      i++
    } else if (inClass) {
      if (c === ']') inClass = false
    } else if (c === '[') inClass = true
    else if (c === '(' && text[i + 1] === '?') {
      const after = text.slice(i + 2, i + 4)
      if (after.startsWith('=') || after.startsWith('!') || after === '<=' || after === '<!')
        return 'Lookahead and lookbehind ((?=…), (?!…), (?<=…), (?<!…)) are not supported.'
    }
  }
  return undefined
}

function compile(text: string): CompiledPattern {
  if (text.length > MAX_PATTERN_LENGTH)
    return invalid(`The pattern is a string of at most ${MAX_PATTERN_LENGTH} characters.`)
  try {
    // Syntax only: the native engine parses the pattern here and never runs it.
    new RegExp(text, 'u')
  } catch {
    return invalid('The pattern is not a valid regular expression (Unicode mode).')
  }
  const construct = unsupportedConstruct(text)
  if (construct) return unsupported(`${construct} Patterns run on a linear-time engine (RE2).`)
  let regex: RE2JS
  try {
    regex = RE2JS.compile(RE2JS.translateRegExp(text))
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'not supported'
    return unsupported(`The linear-time engine (RE2) cannot run this pattern: ${reason.slice(0, 200)}.`)
  }
  if (regex.programSize() > MAX_PATTERN_PROGRAM_SIZE)
    return unsupported('The pattern is too complex: use fewer or smaller counted repetitions ({n,m}).')
  return { ok: true, regex }
}

/** Compiled once per pattern text: patterns repeat on every write of every entry of their type. */
const cache = new Map<string, CompiledPattern>()

/** Compiles a field pattern for the linear-time engine, or says why it cannot be used. */
export function compilePattern(text: string): CompiledPattern {
  const cached = cache.get(text)
  if (cached) return cached
  const compiled = compile(text)
  if (cache.size >= 1000) cache.clear()
  cache.set(text, compiled)
  return compiled
}
