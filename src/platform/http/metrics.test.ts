import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { PUBLIC } from './access.ts'
import { metricsWarning, registerMetrics } from './metrics.ts'

/**
 * The exposition must pass `promtool check metrics`. promtool is a Go binary this machine cannot
 * install, so its lint rules (client_golang's promlint) and the text format's own rules are checked here.
 */

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}
interface Family {
  name: string
  type?: string
  help?: string
  samples: Sample[]
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,\s*|$)/y
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped'])
/** promlint: units that are not base units, and abbreviations. */
const NON_BASE_UNITS: Record<string, string> = {
  milliseconds: 'seconds',
  microseconds: 'seconds',
  nanoseconds: 'seconds',
  minutes: 'seconds',
  hours: 'seconds',
  days: 'seconds',
  weeks: 'seconds',
  kilobytes: 'bytes',
  megabytes: 'bytes',
  gigabytes: 'bytes',
  kibibytes: 'bytes',
  mebibytes: 'bytes',
  gibibytes: 'bytes',
  bits: 'bytes',
  percent: 'ratio',
  celsius: 'celsius',
}
const ABBREVIATIONS = new Set([
  's',
  'ms',
  'us',
  'ns',
  'sec',
  'b',
  'kb',
  'mb',
  'gb',
  'tb',
  'pb',
  'm',
  'h',
  'd',
])

/** Sample values are read with Go's ParseFloat, which also takes `NaN`, `Nan`, `+Inf`, `inf` in any case. */
function parseFloatLikeGo(text: string): number | undefined {
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity
  if (/^nan$/i.test(text)) return NaN
  const value = Number(text)
  return text.trim() !== '' && !Number.isNaN(value) ? value : undefined
}

function familyOf(families: Map<string, Family>, sampleName: string): Family | undefined {
  for (const suffix of ['', '_bucket', '_count', '_sum']) {
    if (!sampleName.endsWith(suffix)) continue
    const family = families.get(sampleName.slice(0, sampleName.length - suffix.length))
    if (family && (suffix === '' || family.type === 'histogram' || family.type === 'summary')) return family
  }
  return undefined
}

/** Parses the text format strictly and returns every problem promtool would report. */
function lintExposition(text: string): string[] {
  const problems: string[] = []
  const families = new Map<string, Family>()
  const seriesSeen = new Set<string>()
  let current: Family | undefined
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line)
    if (meta) {
      const [, kind, name, rest = ''] = meta as unknown as [string, string, string, string?]
      let family = families.get(name)
      if (!family) {
        family = { name, samples: [] }
        families.set(name, family)
      } else if (family.samples.length > 0 || (kind === 'TYPE' ? family.type : family.help) !== undefined) {
        problems.push(`${name}: second ${kind} line (duplicate family)`)
      }
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) problems.push(`${name}: unknown type "${rest}"`)
        family.type = rest
      } else family.help = rest
      current = family
      continue
    }
    if (line.startsWith('#')) continue
    const match = SAMPLE.exec(line)
    if (!match) {
      problems.push(`unparseable line: ${line}`)
      continue
    }
    const [, name, labelText = '', valueText] = match as unknown as [
      string,
      string,
      string | undefined,
      string,
    ]
    const labels: Record<string, string> = {}
    LABEL.lastIndex = 0
    while (LABEL.lastIndex < labelText.length) {
      const label = LABEL.exec(labelText)
      if (!label) {
        problems.push(`${name}: malformed labels {${labelText}}`)
        break
      }
      if ((label[1] as string) in labels) problems.push(`${name}: label ${label[1]} twice`)
      labels[label[1] as string] = label[2] as string
    }
    const value = parseFloatLikeGo(valueText)
    if (value === undefined) problems.push(`${name}: value ${valueText} is not a number`)
    const family = familyOf(families, name)
    if (!family) problems.push(`${name}: sample without HELP and TYPE`)
    else if (family !== current) problems.push(`${name}: sample outside its family's block`)
    const series = `${name}{${JSON.stringify(Object.entries(labels).sort())}}`
    if (seriesSeen.has(series)) problems.push(`${name}: duplicate series ${labelText}`)
    seriesSeen.add(series)
    family?.samples.push({ name, labels, value: value ?? NaN })
  }

  for (const family of families.values()) {
    const { name, type } = family
    if (!METRIC_NAME.test(name)) problems.push(`${name}: invalid metric name`)
    if (name.includes(':')) problems.push(`${name}: ':' is reserved for recording rules`)
    if (/[A-Z]/.test(name)) problems.push(`${name}: not snake_case`)
    if (!family.help) problems.push(`${name}: no HELP`)
    if (!type) problems.push(`${name}: no TYPE`)
    if (type === 'counter' && !name.endsWith('_total'))
      problems.push(`${name}: counter without _total suffix`)
    if (type !== 'counter' && name.endsWith('_total'))
      problems.push(`${name}: non-counter with _total suffix`)
    if (type !== 'histogram' && type !== 'summary' && /_(bucket|count|sum)$/.test(name))
      problems.push(`${name}: reserved suffix on a ${type}`)
    const parts = name.split('_')
    for (const part of parts) {
      if (NON_BASE_UNITS[part] && NON_BASE_UNITS[part] !== part)
        problems.push(`${name}: use base unit "${NON_BASE_UNITS[part]}" instead of "${part}"`)
      if (ABBREVIATIONS.has(part)) problems.push(`${name}: abbreviated unit "${part}"`)
      if (['counter', 'gauge', 'histogram', 'summary'].includes(part))
        problems.push(`${name}: metric type "${part}" in the name`)
    }
    for (const sample of family.samples) {
      for (const label of Object.keys(sample.labels)) {
        if (!LABEL_NAME.test(label) || label.startsWith('__'))
          problems.push(`${name}: invalid label ${label}`)
        if (/[A-Z]/.test(label)) problems.push(`${name}: label ${label} not snake_case`)
        if (label === 'le' && type !== 'histogram') problems.push(`${name}: reserved label le`)
        if (label === 'quantile' && type !== 'summary') problems.push(`${name}: reserved label quantile`)
      }
    }
    if (type === 'histogram') problems.push(...lintHistogram(family))
  }
  return problems
}

/** Buckets per series: `le` ascending, ending with +Inf, cumulative counts, `_count` equal to +Inf. */
function lintHistogram(family: Family): string[] {
  const problems: string[] = []
  const bySeries = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>()
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels
    const key = `{${Object.entries(rest)
      .sort()
      .map(([k, v]) => `${k}="${v}"`)
      .join(',')}}`
    const entry = bySeries.get(key) ?? { buckets: [] }
    bySeries.set(key, entry)
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) problems.push(`${family.name}: bucket without le`)
      else entry.buckets.push([le === '+Inf' ? Infinity : Number(le), sample.value])
    } else if (sample.name === `${family.name}_count`) entry.count = sample.value
    else if (sample.name === `${family.name}_sum`) entry.sum = sample.value
    else problems.push(`${family.name}: unexpected sample ${sample.name}`)
  }
  for (const [key, { buckets, count, sum }] of bySeries) {
    const bounds = buckets.map(([le]) => le)
    if (bounds.at(-1) !== Infinity) problems.push(`${family.name}${key}: no +Inf bucket`)
    if (bounds.some((b, i) => i > 0 && b <= (bounds[i - 1] as number)))
      problems.push(`${family.name}${key}: le not ascending`)
    if (buckets.some(([, c], i) => i > 0 && c < (buckets[i - 1]?.[1] as number)))
      problems.push(`${family.name}${key}: bucket counts not cumulative`)
    if (count === undefined || sum === undefined)
      problems.push(`${family.name}${key}: _count or _sum missing`)
    else if (buckets.at(-1)?.[1] !== count)
      problems.push(`${family.name}${key}: _count differs from the +Inf bucket`)
  }
  return problems
}

async function scrape(): Promise<string> {
  const app = Fastify()
  registerMetrics(app, { protect: false })
  app.get('/x', { config: { access: PUBLIC } }, async () => 'x')
  await app.inject({ method: 'GET', url: '/x' })
  await app.inject({ method: 'GET', url: '/nowhere' })
  const res = await app.inject({ method: 'GET', url: '/metrics' })
  await app.close()
  expect(res.statusCode).toBe(200)
  return res.body
}

describe('metrics exposition', () => {
  it('passes the lint rules of promtool check metrics', async () => {
    const text = await scrape()
    expect(text).toContain('# TYPE colophon_http_request_duration_seconds histogram')
    expect(lintExposition(text)).toEqual([])
  })

  it('has no gauge named like a counter, and keeps the per-type active resource gauges', async () => {
    const text = await scrape()
    expect(text).not.toMatch(/^# TYPE \S+_total (gauge|histogram|summary)$/m)
    for (const name of ['handles', 'requests', 'resources']) {
      expect(text).not.toContain(`colophon_nodejs_active_${name}_total`)
      expect(text).toContain(`# TYPE colophon_nodejs_active_${name} gauge`)
    }
  })

  it('is checked by a linter that catches what promtool catches', () => {
    const bad = [
      '# HELP a_total A gauge named like a counter.',
      '# TYPE a_total gauge',
      'a_total 1',
      '# HELP requests Counted.',
      '# TYPE requests counter',
      'requests 2',
      '# TYPE no_help gauge',
      'no_help 1',
      '# HELP latency_milliseconds Time.',
      '# TYPE latency_milliseconds gauge',
      'latency_milliseconds 3',
      '# HELP h A histogram.',
      '# TYPE h histogram',
      'h_bucket{le="1"} 2',
      'h_bucket{le="0.5"} 1',
      'h_count 2',
      'h_sum 1',
      'stray 1',
    ].join('\n')
    const problems = lintExposition(bad)
    for (const expected of [
      'a_total: non-counter with _total suffix',
      'requests: counter without _total suffix',
      'no_help: no HELP',
      'latency_milliseconds: use base unit "seconds" instead of "milliseconds"',
      'h{}: no +Inf bucket',
      'h{}: le not ascending',
      'stray: sample without HELP and TYPE',
    ])
      expect(problems).toContain(expected)
  })
})

describe('metrics warning at start', () => {
  it('warns in production without a token, with or without the loopback waiver', () => {
    expect(metricsWarning({ protect: true })).toMatch(/refuses every caller/)
    expect(metricsWarning({ protect: true, allowLoopback: true })).toMatch(/only callers on this machine/)
    expect(metricsWarning({ protect: true, token: 'metrics-token-0123456789' })).toBeNull()
    expect(metricsWarning({ protect: false })).toBeNull()
  })
})
