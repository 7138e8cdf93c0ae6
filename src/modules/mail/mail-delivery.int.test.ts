import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../../test/harness/test-app.ts'
import { createUser, signInAdmin, type Session, type TestUser } from '../../../test/harness/identity.ts'
import { startSmtpServer, type TestSmtpServer } from '../../../test/harness/smtp.ts'
import { PASSWORD_RESET_QUEUE } from '../auth/index.ts'

/**
 * Mail is durable: a message is stored (its body sealed) and delivered by a `mail.send` job over real
 * SMTP (a server on loopback), retried when the server refuses or drops the connection, then dead with
 * the failure recorded, visible and retriable through the jobs API, and delivered once the server
 * recovers. The link a mail carries never appears in job data, the queue's stored body, nor the logs.
 */

const PUBLIC_URL = 'https://cms.example.test'
const RETRIES = 2

let smtp: TestSmtpServer
let app: TestApp
let admin: Session
const logLines: string[] = []

beforeAll(async () => {
  smtp = await startSmtpServer()
  app = await createTestApp({
    config: {
      smtpUrl: smtp.url,
      publicUrl: PUBLIC_URL,
      logLevel: 'info',
      authRateLimit: 1000,
      authAccountRateLimit: 1000,
    },
    deps: {
      logStream: { write: (line: string) => void logLines.push(line) },
      // Retries at once, so a flush runs them all.
      mailRetry: { retryLimit: RETRIES, retryDelaySeconds: 0, retryBackoff: false },
    },
  })
  admin = await signInAdmin(app)
})
afterAll(async () => {
  await app?.close()
  await smtp?.close()
})

interface QueuedRow {
  id: string
  status: string
  body: string | null
  attempts: number
  last_error: string | null
  job_id: string
  sent_at: Date | null
}

async function queuedFor(to: string): Promise<QueuedRow> {
  const [row] = await app.db.engine.query<QueuedRow>(
    'SELECT id, status, body, attempts, last_error, job_id, sent_at FROM mail_queue WHERE to_address = $1',
    [to],
  )
  if (!row) throw new Error(`no queued mail to ${to}`)
  return row
}

async function jobOf(id: string) {
  const res = await admin.request({ method: 'GET', url: `/api/v1/jobs/${id}` })
  expect(res.statusCode, res.body).toBe(200)
  return res.json() as {
    state: string
    attempts: number
    lastError: string | null
    data: unknown
    runs: { status: string; error: string | null }[]
  }
}

async function askReset(user: TestUser): Promise<void> {
  const res = await app.server.inject({
    method: 'POST',
    url: '/api/v1/auth/password-reset',
    payload: { email: user.email },
  })
  expect(res.statusCode).toBe(202)
}

const received = (to: string) => smtp.received.filter((m) => m.to.includes(to))
const tokenIn = (raw: string) => /#token=([A-Za-z0-9_-]+)/.exec(raw.replace(/=\r?\n/g, ''))?.[1]

describe('mail through SMTP', () => {
  it('stores the message sealed, queues a job holding only its id, delivers it and erases the body', async () => {
    smtp.mode = 'accept'
    const user = await createUser(app)
    await askReset(user)
    // The request's job queues the message; it waits for its own job.
    await app.jobs.drain([PASSWORD_RESET_QUEUE])
    const queued = await queuedFor(user.email)
    expect(queued).toMatchObject({ status: 'queued', attempts: 0, sent_at: null })
    expect(queued.body).toMatch(/^v1:[0-9a-f]{16}:/)
    expect(queued.body).not.toContain('reset-password')
    const job = await jobOf(queued.job_id)
    expect(job.data).toEqual({ messageId: queued.id })
    expect(job.state).toBe('queued')

    await app.mailer.flush()
    const [mail] = received(user.email)
    expect(mail?.raw).toContain(`${PUBLIC_URL}/admin/reset-password#token=`)
    const sent = await queuedFor(user.email)
    expect(sent).toMatchObject({ status: 'sent', body: null, attempts: 1, last_error: null })
    expect(sent.sent_at).not.toBeNull()
    expect((await jobOf(queued.job_id)).state).toBe('completed')
  })

  it('retries a refused message, then keeps it dead with the reply; an operator retries it once the server recovers', async () => {
    smtp.mode = 'reject-permanent'
    const before = smtp.attempts
    const user = await createUser(app)
    await askReset(user)
    await app.mailer.flush()
    expect(smtp.attempts - before).toBe(RETRIES + 1)
    expect(received(user.email)).toEqual([])

    const dead = await queuedFor(user.email)
    expect(dead).toMatchObject({ status: 'dead', attempts: RETRIES + 1 })
    expect(dead.body).toMatch(/^v1:/)
    expect(dead.last_error).toContain('550 Mailbox unavailable')
    const job = await jobOf(dead.job_id)
    expect(job.state).toBe('dead')
    expect(job.lastError).toMatch(/^COLOPHON_MAIL_DELIVERY_FAILED: .*550 Mailbox unavailable/)
    expect(job.runs.map((r) => r.status)).toEqual(Array(RETRIES + 1).fill('failed'))

    // The dead letter, as operators find it.
    const list = await admin.request({ method: 'GET', url: '/api/v1/jobs?state=dead&queue=mail.send' })
    expect(list.statusCode).toBe(200)
    expect(list.json().items.map((j: { id: string }) => j.id)).toContain(dead.job_id)

    smtp.mode = 'accept'
    const retry = await admin.request({ method: 'POST', url: `/api/v1/jobs/${dead.job_id}/retry` })
    expect(retry.statusCode, retry.body).toBe(200)
    await app.mailer.flush()
    expect(received(user.email)).toHaveLength(1)
    expect(await queuedFor(user.email)).toMatchObject({ status: 'sent', body: null, attempts: RETRIES + 2 })
    expect((await jobOf(dead.job_id)).state).toBe('completed')
  })

  it('retries after a temporary refusal and after a dropped connection, then delivers', async () => {
    smtp.mode = 'accept'
    for (const how of ['reject-temporary', 'drop'] as const) {
      const user = await createUser(app)
      smtp.failNext(1, how)
      await askReset(user)
      await app.mailer.flush()
      expect(received(user.email)).toHaveLength(1)
      const row = await queuedFor(user.email)
      expect(row).toMatchObject({ status: 'sent', attempts: 2 })
      expect(row.last_error).toMatch(how === 'drop' ? /closed|ECONNECTION|socket/i : /451/)
      const job = await jobOf(row.job_id)
      expect(job.state).toBe('completed')
      expect(job.runs.map((r) => r.status)).toEqual(['failed', 'completed'])
    }
  })

  it('keeps the links out of job data, pg-boss rows and the logs', async () => {
    const tokens = smtp.received.map((m) => tokenIn(m.raw)).filter((t): t is string => Boolean(t))
    expect(tokens.length).toBeGreaterThan(2)
    const jobs = JSON.stringify(await app.db.engine.query('SELECT data, last_error FROM jobs'))
    const boss = JSON.stringify(await app.db.engine.query('SELECT data, output FROM pgboss.job'))
    const queue = JSON.stringify(await app.db.engine.query('SELECT * FROM mail_queue'))
    const logs = logLines.join('')
    expect(logs).toContain('mail not sent')
    for (const token of tokens) {
      for (const place of [jobs, boss, queue, logs]) expect(place).not.toContain(token)
    }
  })
})
