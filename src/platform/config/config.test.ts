import { describe, expect, it } from 'vitest'
import { CONFIG_KEYS, ConfigError, loadConfig, redactConfig } from './config.ts'

const load = (env: Record<string, string>, files: Record<string, string> = {}) =>
  loadConfig({
    env,
    cwd: '/srv/colophon',
    readFile: (file) => {
      const content = files[file]
      if (content === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' })
      return content
    },
  })

function errorOf(fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as Error).message
  }
  throw new Error('expected a ConfigError')
}

describe('configuration', () => {
  it('has working defaults: PGlite in ./data on 127.0.0.1:3000', () => {
    const { config, warnings } = load({})
    expect(config).toMatchObject({
      env: 'development',
      host: '127.0.0.1',
      port: 3000,
      dataDir: '/srv/colophon/data',
    })
    expect(config.databaseUrl).toBeUndefined()
    expect(config.queryTiming).toBe(true)
    expect(warnings).toEqual([])
  })

  it('is frozen', () => {
    const { config } = load({ COLOPHON_TRUST_PROXY: '10.0.0.1' })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.trustProxy)).toBe(true)
  })

  it('reads the environment with typed conversion', () => {
    const { config } = load({
      COLOPHON_PORT: '8080',
      COLOPHON_HOST: '0.0.0.0',
      COLOPHON_QUERY_TIMING: 'false',
      COLOPHON_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16',
      DATABASE_URL: 'postgres://u@db/colophon',
    })
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      queryTiming: false,
      databaseUrl: 'postgres://u@db/colophon',
    })
    expect(config.trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16'])
  })

  it('lets the environment override the file, which overrides defaults', () => {
    const files = { '/srv/colophon/colophon.json': JSON.stringify({ port: 4000, logLevel: 'debug' }) }
    const { config } = load({ COLOPHON_CONFIG: 'colophon.json', COLOPHON_PORT: '5000' }, files)
    expect(config.port).toBe(5000)
    expect(config.logLevel).toBe('debug')
  })

  it('reads secrets from *_FILE', () => {
    const { config } = load(
      { COLOPHON_SETUP_TOKEN_FILE: '/run/secrets/token' },
      { '/run/secrets/token': 'preset-token-0123456789\n' },
    )
    expect(config.setupToken).toBe('preset-token-0123456789')
  })

  it('ignores empty items in lists and empty variables', () => {
    expect(load({ COLOPHON_TRUST_PROXY: '10.0.0.1,' }).config.trustProxy).toEqual(['10.0.0.1'])
    const files = { '/run/t': 'preset-token-0123456789' }
    expect(
      load({ COLOPHON_SETUP_TOKEN: '', COLOPHON_SETUP_TOKEN_FILE: '/run/t' }, files).config.setupToken,
    ).toBe('preset-token-0123456789')
  })

  it('turns query timing off by default in production', () => {
    expect(load({ COLOPHON_ENV: 'production' }).config.queryTiming).toBe(false)
  })

  it.each([
    [{ COLOPHON_PORT: 'abc' }, 'config: COLOPHON_PORT must be an integer between 0 and 65535; got "abc"'],
    [{ COLOPHON_PORT: '70000' }, 'config: COLOPHON_PORT must be an integer between 0 and 65535; got 70000'],
    [
      { COLOPHON_ENV: 'prod' },
      'config: COLOPHON_ENV must be one of "development", "test", "production"; got "prod"',
    ],
    [{ COLOPHON_QUERY_TIMING: 'maybe' }, 'config: COLOPHON_QUERY_TIMING must be a boolean; got "maybe"'],
  ])('stops on a bad value with one line naming the key: %j', (env, message) => {
    expect(errorOf(() => load(env))).toBe(message)
  })

  it('never prints a secret value in an error', () => {
    const message = errorOf(() => load({ DATABASE_URL: 'mysql://user:hunter2hunter2@db/x' }))
    expect(message).toContain('DATABASE_URL')
    expect(message).not.toContain('hunter2')
    expect(errorOf(() => load({ COLOPHON_SETUP_TOKEN: 'short' }))).toMatch(
      /COLOPHON_SETUP_TOKEN .*got \(hidden\)/,
    )
  })

  it('names the file key when the bad value comes from the file', () => {
    const files = { '/srv/colophon/c.json': JSON.stringify({ port: 'x' }) }
    expect(errorOf(() => load({ COLOPHON_CONFIG: 'c.json' }, files))).toMatch(
      /^config: "port" in \/srv\/colophon\/c.json must be an integer/,
    )
  })

  it('refuses unknown keys in the file, unreadable files and setting both VAR and VAR_FILE', () => {
    const files = { '/srv/colophon/c.json': JSON.stringify({ prot: 1 }), '/srv/colophon/bad.json': '{' }
    expect(errorOf(() => load({ COLOPHON_CONFIG: 'c.json' }, files))).toMatch(/unknown key "prot"/)
    expect(errorOf(() => load({ COLOPHON_CONFIG: 'bad.json' }, files))).toMatch(/cannot be read as JSON/)
    expect(errorOf(() => load({ COLOPHON_CONFIG: 'missing.json' }, files))).toMatch(/cannot be read/)
    expect(
      errorOf(() => load({ COLOPHON_SETUP_TOKEN: 'a'.repeat(20), COLOPHON_SETUP_TOKEN_FILE: '/x' })),
    ).toMatch(/either/)
  })

  it('warns about unknown COLOPHON_* variables (likely typos)', () => {
    expect(load({ COLOPHON_PROT: '1' }).warnings).toEqual([
      'unknown configuration variable COLOPHON_PROT is ignored',
    ])
  })

  it('redacts secrets for logging', () => {
    const { config } = load({ DATABASE_URL: 'postgres://u:pw@db/x' })
    expect(redactConfig(config).databaseUrl).toBe('[redacted]')
    expect(CONFIG_KEYS.filter((k) => k.secret).map((k) => k.envName)).toEqual([
      'DATABASE_URL',
      'COLOPHON_SETUP_TOKEN',
      'COLOPHON_METRICS_TOKEN',
      'COLOPHON_SMTP_URL',
      'COLOPHON_ENCRYPTION_KEY',
      'COLOPHON_ENCRYPTION_PREVIOUS_KEYS',
      'COLOPHON_REDIS_URL',
      'COLOPHON_S3_ACCESS_KEY_ID',
      'COLOPHON_S3_SECRET_ACCESS_KEY',
    ])
  })
})
