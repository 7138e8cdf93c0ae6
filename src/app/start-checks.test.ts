import { describe, expect, it } from 'vitest'
import { startWarnings } from './start-checks.ts'

describe('start warnings', () => {
  it('warns in production when no SMTP server is configured, naming the setting', () => {
    const [warning, ...rest] = startWarnings({ env: 'production', smtpUrl: undefined })
    expect(rest).toEqual([])
    expect(warning).toContain('COLOPHON_SMTP_URL')
    expect(warning).toContain('never sent')
  })

  it('says nothing with SMTP configured, nor outside production', () => {
    expect(startWarnings({ env: 'production', smtpUrl: 'smtp://mail.example.com:587' })).toEqual([])
    expect(startWarnings({ env: 'development', smtpUrl: undefined })).toEqual([])
  })
})
