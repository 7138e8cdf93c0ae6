import { readFileSync } from 'node:fs'
import path from 'node:path'
import Value from 'typebox/value'
import { ConfigSchema, type Config, type ConfigKey } from './config.schema.ts'

/**
 * Configuration is read once at boot: schema defaults, then an optional JSON file (`COLOPHON_CONFIG`),
 * then the environment. The result is validated and frozen; nothing else in the code reads
 * `process.env`. A bad value raises a ConfigError whose message is one line naming the key.
 */

export class ConfigError extends Error {
  override name = 'ConfigError'
}

type Kind = 'string' | 'integer' | 'boolean' | 'list'

interface KeySpec {
  key: ConfigKey
  envName: string
  kind: Kind
  secret: boolean
  description: string
}

const ENV_PREFIX = 'COLOPHON_'

function envNameOf(key: string): string {
  if (key === 'databaseUrl') return 'DATABASE_URL'
  return ENV_PREFIX + key.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase()
}

function kindOf(schema: Record<string, unknown>): Kind {
  if (schema.type === 'integer') return 'integer'
  if (schema.type === 'boolean') return 'boolean'
  if (schema.type === 'array') return 'list'
  return 'string'
}

/** One entry per configuration key: its environment variable, its kind and whether it is a secret. */
export const CONFIG_KEYS: readonly KeySpec[] = Object.entries(ConfigSchema.properties).map(([key, raw]) => {
  const schema = raw as unknown as Record<string, unknown>
  return {
    key: key as ConfigKey,
    envName: envNameOf(key),
    kind: kindOf(schema),
    secret: schema.secret === true,
    description: String(schema.description ?? ''),
  }
})

const CONFIG_FILE_ENV = 'COLOPHON_CONFIG'

function convertEnvValue(spec: KeySpec, raw: string): unknown {
  const text = raw.trim()
  switch (spec.kind) {
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : text
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true
      if (/^(false|0|no|off)$/i.test(text)) return false
      return text
    case 'list':
      return text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
    default:
      return raw
  }
}

function describeExpected(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.anyOf)) {
    return 'one of ' + schema.anyOf.map((s: { const?: unknown }) => JSON.stringify(s.const)).join(', ')
  }
  const type = String(schema.type ?? 'value')
  const parts: string[] = [type === 'array' ? 'a list' : (/^[aeiou]/.test(type) ? 'an ' : 'a ') + type]
  if (schema.minimum !== undefined || schema.maximum !== undefined) {
    parts.push(`between ${String(schema.minimum ?? '-∞')} and ${String(schema.maximum ?? '∞')}`)
  }
  if (schema.minLength !== undefined) parts.push(`of at least ${String(schema.minLength)} characters`)
  if (schema.pattern !== undefined) parts.push(`matching ${String(schema.pattern)}`)
  if (schema.type === 'array') parts.push('(comma-separated)')
  return parts.join(' ')
}

export interface LoadConfigInput {
  env: Readonly<Record<string, string | undefined>>
  cwd: string
  readFile?: (file: string) => string
}

export interface LoadedConfig {
  config: Config
  /** Unknown `COLOPHON_*` variables: probably typos, logged as warnings at boot. */
  warnings: string[]
}

export function loadConfig({
  env,
  cwd,
  readFile = (f) => readFileSync(f, 'utf8'),
}: LoadConfigInput): LoadedConfig {
  const values: Record<string, unknown> = {}
  const sourceOf: Record<string, string> = {}

  const file = env[CONFIG_FILE_ENV]
  if (file) {
    const filePath = path.resolve(cwd, file)
    let parsed: unknown
    try {
      parsed = JSON.parse(readFile(filePath))
    } catch (err) {
      throw new ConfigError(
        `config: ${CONFIG_FILE_ENV} file ${filePath} cannot be read as JSON (${(err as Error).message})`,
      )
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ConfigError(`config: ${CONFIG_FILE_ENV} file ${filePath} must hold a JSON object`)
    }
    for (const [key, value] of Object.entries(parsed)) {
      if (!(key in ConfigSchema.properties)) {
        throw new ConfigError(
          `config: unknown key "${key}" in ${filePath}; expected one of ${Object.keys(ConfigSchema.properties).join(', ')}`,
        )
      }
      values[key] = value
      sourceOf[key] = `"${key}" in ${filePath}`
    }
  }

  for (const spec of CONFIG_KEYS) {
    const direct = env[spec.envName]
    const fromFile = spec.secret ? env[`${spec.envName}_FILE`] : undefined
    if (direct !== undefined && direct !== '' && fromFile !== undefined && fromFile !== '') {
      throw new ConfigError(`config: set either ${spec.envName} or ${spec.envName}_FILE, not both`)
    }
    if (direct !== undefined && direct !== '') {
      values[spec.key] = convertEnvValue(spec, direct)
      sourceOf[spec.key] = spec.envName
    } else if (fromFile) {
      const secretPath = path.resolve(cwd, fromFile)
      let content: string
      try {
        content = readFile(secretPath).trim()
      } catch (err) {
        throw new ConfigError(
          `config: ${spec.envName}_FILE points to ${secretPath}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
        )
      }
      values[spec.key] = convertEnvValue(spec, content)
      sourceOf[spec.key] = `${spec.envName}_FILE`
    }
  }

  const withDefaults = Value.Default(ConfigSchema, values) as Record<string, unknown>
  const firstError = [...Value.Errors(ConfigSchema, withDefaults)][0]
  if (firstError) {
    const key = firstError.instancePath.split('/')[1] ?? ''
    const spec = CONFIG_KEYS.find((s) => s.key === key)
    const schema = (ConfigSchema.properties as Record<string, unknown>)[key] as
      Record<string, unknown> | undefined
    const shown = spec?.secret ? '(hidden)' : JSON.stringify(withDefaults[key])
    const where = sourceOf[key] ?? spec?.envName ?? key
    const expected = schema ? describeExpected(schema) : firstError.message
    throw new ConfigError(`config: ${where} must be ${expected}; got ${shown}`)
  }

  const known = new Set([...CONFIG_KEYS.flatMap((s) => [s.envName, `${s.envName}_FILE`]), CONFIG_FILE_ENV])
  const warnings = Object.keys(env)
    .filter((name) => name.startsWith(ENV_PREFIX) && !known.has(name) && !name.startsWith('COLOPHON_TEST_'))
    .map((name) => `unknown configuration variable ${name} is ignored`)

  const queryTiming = (withDefaults.queryTiming as boolean | undefined) ?? withDefaults.env !== 'production'
  const config = deepFreeze({
    ...withDefaults,
    queryTiming,
    dataDir: path.resolve(cwd, String(withDefaults.dataDir)),
  }) as Config
  return { config, warnings }
}

/** Reads the process environment. The only place in the code base that touches `process.env`. */
export function loadConfigFromProcess(overrides: Record<string, string | undefined> = {}): LoadedConfig {
  return loadConfig({ env: { ...process.env, ...overrides }, cwd: process.cwd() })
}

/** Builds a config for tests and tools from explicit values, still validated by the schema. */
export function configFor(values: Partial<Record<ConfigKey, unknown>>, cwd = process.cwd()): Config {
  const env: Record<string, string> = {}
  for (const spec of CONFIG_KEYS) {
    const value = values[spec.key]
    if (value === undefined) continue
    env[spec.envName] = Array.isArray(value) ? value.join(',') : String(value)
  }
  return loadConfig({ env, cwd }).config
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** A copy of the config that is safe to log: secrets replaced by a marker. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const spec of CONFIG_KEYS) {
    const value = config[spec.key]
    out[spec.key] = spec.secret && value !== undefined ? '[redacted]' : value
  }
  return out
}
