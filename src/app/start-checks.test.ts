import { describe, expect, it } from 'vitest'
import { configFor } from '../platform/config/index.ts'
import { startWarnings } from './start-checks.ts'

const TOKEN = 'metrics-token-0123456789'
const SMTP = 'smtp://mail.example.com:587'

describe('start warnings', () => {
  it('warns in production when no SMTP server is configured, naming the setting', () => {
    const config = configFor({ env: 'production', metricsToken: TOKEN })
    const [warning, ...rest] = startWarnings(config, { serving: true })
    expect(rest).toEqual([])
    expect(warning).toContain('COLOPHON_SMTP_URL')
    expect(warning).toContain('never sent')
  })

  it('warns a serving node in production whose /metrics nobody can read', () => {
    const config = configFor({ env: 'production', smtpUrl: SMTP })
    expect(startWarnings(config, { serving: true })).toEqual([
      expect.stringMatching(/COLOPHON_METRICS_TOKEN .* refuses every caller/),
    ])
    expect(startWarnings(config, { serving: false })).toEqual([])
  })

  it('says nothing with SMTP and a metrics token configured, nor outside production', () => {
    expect(
      startWarnings(configFor({ env: 'production', smtpUrl: SMTP, metricsToken: TOKEN }), { serving: true }),
    ).toEqual([])
    expect(startWarnings(configFor({ env: 'development' }), { serving: true })).toEqual([])
  })
})
