import { DrizzleQueryError } from 'drizzle-orm/errors'
import pg from 'pg'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { defineError } from '../errors/index.ts'
import { describeError, serializeError } from './error-serializer.ts'
import { loggerOptions } from './log.ts'

const HASH = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA'
const EMAIL = 'someone.private@example.com'

/** A failed INSERT as the query builder reports it on PostgreSQL: the statement, its values, the row. */
function failedInsert(): DrizzleQueryError {
  const server = Object.assign(
    new pg.DatabaseError(
      'new row for relation "users" violates check constraint "users_name_check"',
      200,
      'error',
    ),
    {
      severity: 'ERROR',
      code: '23514',
      table: 'users',
      constraint: 'users_name_check',
      schema: 'public',
      detail: `Failing row contains (0190, ${EMAIL}, Fail, ${HASH}).`,
      where: `SQL statement "insert into users values ('${EMAIL}')"`,
      routine: 'ExecConstraints',
    },
  )
  return new DrizzleQueryError(
    'insert into "users" ("id", "email", "name", "password_hash") values ($1, $2, $3, $4)',
    ['0190', EMAIL, 'Fail', HASH],
    server,
  )
}

function logLines(write: (log: pino.Logger) => void): string {
  const lines: string[] = []
  const log = pino(loggerOptions('info'), { write: (line: string) => void lines.push(line) })
  write(log)
  return lines.join('')
}

describe('error serializer', () => {
  it('logs a failed statement as its SQLSTATE and label, never its parameters or the failing row', () => {
    const text = logLines((log) => {
      log.error({ err: failedInsert() }, 'unhandled error')
      log.error(failedInsert())
      log.error({ err: failedInsert() })
    })
    expect(text).not.toContain(HASH)
    expect(text).not.toContain(EMAIL)
    expect(text).not.toContain('argon2')
    const entry = JSON.parse(text.split('\n')[0] as string) as { err: Record<string, unknown> }
    expect(entry.err).toMatchObject({
      type: 'DrizzleQueryError',
      message: 'failed statement: INSERT users',
      statement: 'INSERT users',
      sqlState: '23514',
      cause: { type: 'DatabaseError', code: '23514', table: 'users', constraint: 'users_name_check' },
    })
    expect(String(entry.err.stack)).toMatch(/^DrizzleQueryError: failed statement: INSERT users\n\s+at /)
  })

  it('masks quoted values in server messages but keeps the identifiers the error names', () => {
    const badInput = Object.assign(
      new pg.DatabaseError('invalid input syntax for type uuid: "s3cr3t-value"', 90, 'error'),
      {
        severity: 'ERROR',
        code: '22P02',
      },
    )
    expect(serializeError(badInput).message).toBe('invalid input syntax for type uuid: "…"')
    const unique = Object.assign(
      new pg.DatabaseError('duplicate key value violates unique constraint "users_email_key"', 90, 'error'),
      {
        severity: 'ERROR',
        code: '23505',
        constraint: 'users_email_key',
        detail: `Key (email)=(${EMAIL}) already exists.`,
      },
    )
    const serialized = serializeError(unique)
    expect(serialized.message).toBe('duplicate key value violates unique constraint "users_email_key"')
    expect(JSON.stringify(serialized)).not.toContain(EMAIL)
  })

  it('keeps what helps an operator: coded errors with details, system errors with their call', () => {
    const Failed = defineError('COLOPHON_TEST_SERIALIZED', 500, 'It failed.')
    expect(serializeError(Failed({ details: { step: 'x' } }))).toMatchObject({
      type: 'AppError',
      code: 'COLOPHON_TEST_SERIALIZED',
      status: 500,
      details: { step: 'x' },
    })
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
      errno: -111,
      syscall: 'connect',
      address: '127.0.0.1',
      port: 5432,
    })
    expect(serializeError(refused)).toMatchObject({ code: 'ECONNREFUSED', syscall: 'connect', port: 5432 })
  })

  it('describes a failure in one value-free line (job rows)', () => {
    const line = describeError(failedInsert())
    expect(line).toBe(
      'DrizzleQueryError: failed statement: INSERT users: new row for relation "users" violates check constraint "users_name_check" (SQLSTATE 23514)',
    )
  })
})
