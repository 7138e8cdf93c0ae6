import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { loggableUrl, loggerOptions } from './log.ts'

describe('logged URLs', () => {
  it('hide the token of a preview link and keep the rest', () => {
    expect(loggableUrl('/_preview/AbC-123_xyz?utm=1')).toBe('/_preview/[redacted]?utm=1')
    expect(loggableUrl('/2026/03/hello?x=1')).toBe('/2026/03/hello?x=1')
    expect(loggableUrl('/_preview/')).toBe('/_preview/')
  })

  it('reach the log redacted in every request line', () => {
    const lines: string[] = []
    const log = pino(loggerOptions('info'), { write: (line: string) => void lines.push(line) })
    log.info(
      { req: { method: 'GET', url: '/_preview/s3cr3tT0ken', host: 'a.example', ip: '127.0.0.1' } },
      'incoming request',
    )
    expect(lines.join('')).not.toContain('s3cr3tT0ken')
    expect(JSON.parse(lines[0] ?? '{}').req).toMatchObject({ method: 'GET', url: '/_preview/[redacted]' })
  })
})
