import { once } from 'node:events'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { DrizzleQueryError } from 'drizzle-orm/errors'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { isConnectionFailure, sqlStateOf, statementLabel } from './failures.ts'

/** A server error as pg's protocol parser builds it (the same class, the same fields). */
function serverError(code: string, message: string, extra: Record<string, unknown> = {}): Error {
  const err = new pg.DatabaseError(message, 100, 'error')
  return Object.assign(err, { severity: 'FATAL', code, ...extra })
}

const servers: Server[] = []
const sockets: Socket[] = []
afterAll(async () => {
  for (const socket of sockets) socket.destroy()
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))))
})

/** A local TCP server that does `onConnection` with every socket; returns its port. */
async function tcpServer(onConnection: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket)
    onConnection(socket)
  })
  servers.push(server)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return (server.address() as AddressInfo).port
}

async function connectError(options: pg.ClientConfig): Promise<unknown> {
  const client = new pg.Client({ host: '127.0.0.1', user: 'nobody', database: 'none', ...options })
  return client.connect().then(
    () => {
      throw new Error('connected unexpectedly')
    },
    (err: unknown) => err,
  )
}

describe('connection-class failures', () => {
  it('recognise a refused connection, raised by pg itself', async () => {
    const closed = await tcpServer(() => undefined)
    await new Promise((done) => servers.pop()?.close(done))
    const err = await connectError({ port: closed })
    expect((err as { code?: string }).code).toBe('ECONNREFUSED')
    expect(isConnectionFailure(err)).toBe(true)
  })

  it('recognise a server that hangs up, and one that never answers', async () => {
    const hangsUp = await tcpServer((socket) => socket.destroy())
    const terminated = await connectError({ port: hangsUp })
    expect(String((terminated as Error).message)).toMatch(/^Connection terminated/)
    expect(isConnectionFailure(terminated)).toBe(true)

    const silent = await tcpServer(() => undefined)
    const timedOut = await connectError({ port: silent, connectionTimeoutMillis: 200 })
    expect(String((timedOut as Error).message)).toBe('timeout expired')
    expect(isConnectionFailure(timedOut)).toBe(true)
  })

  it('recognise the pool timing out and a closed embedded engine', () => {
    expect(isConnectionFailure(new Error('timeout exceeded when trying to connect'))).toBe(true)
    expect(isConnectionFailure(new Error('PGlite is closed'))).toBe(true)
    expect(
      isConnectionFailure(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true)
  })

  it.each([
    ['08006', 'connection failure'],
    ['08P01', 'protocol violation'],
    ['08001', 'could not connect'],
    ['53300', 'sorry, too many clients already'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection because of crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['57P04', 'terminating connection because the database was dropped'],
    ['57P05', 'terminating connection due to idle-session timeout'],
    ['55000', 'database "colophon" is not currently accepting connections'],
  ])('recognise SQLSTATE %s (%s), raw or wrapped by the query builder', (code, message) => {
    const raw = serverError(code, message)
    expect(isConnectionFailure(raw)).toBe(true)
    const wrapped = new DrizzleQueryError('select 1', [], raw)
    expect(isConnectionFailure(wrapped)).toBe(true)
    expect(sqlStateOf(wrapped)).toBe(code)
  })

  it('leave statement errors alone: constraint violations, bad input, other 55000s, Node codes elsewhere', () => {
    expect(isConnectionFailure(serverError('23505', 'duplicate key value violates unique constraint'))).toBe(
      false,
    )
    expect(isConnectionFailure(serverError('22P02', 'invalid input syntax for type uuid: "x"'))).toBe(false)
    expect(isConnectionFailure(serverError('53400', 'configuration limit exceeded'))).toBe(false)
    expect(isConnectionFailure(serverError('55000', 'currval of sequence "s" is not yet defined'))).toBe(
      false,
    )
    expect(isConnectionFailure(new Error('Cannot read properties of undefined'))).toBe(false)
    expect(isConnectionFailure(undefined)).toBe(false)
  })

  it('find a failure inside an AggregateError (both address families refused)', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' })
    expect(isConnectionFailure(new AggregateError([refused, refused]))).toBe(true)
  })
})

describe('statement labels', () => {
  it('name the verb and the table, never a value', () => {
    expect(
      statementLabel(
        'insert into "users" ("id", "email", "password_hash") values ($1, $2, $3) returning "id"',
      ),
    ).toBe('INSERT users')
    expect(statementLabel('select "id", "name" from "public"."entries" where "site_id" = $1')).toBe(
      'SELECT entries',
    )
    expect(statementLabel('update "users" set "name" = $1 where "id" = $2')).toBe('UPDATE users')
    expect(statementLabel('delete from site_members where user_id = $1')).toBe('DELETE site_members')
    expect(statementLabel("/* colophon:bind */ SELECT set_config('app.site_id', 'abc', true)")).toBe('SELECT')
    // Literals are removed before looking for a table: a value can never become the label.
    expect(statementLabel("select 'copy from hunter2' as x")).toBe('SELECT')
    expect(statementLabel('BEGIN')).toBe('BEGIN')
  })
})
