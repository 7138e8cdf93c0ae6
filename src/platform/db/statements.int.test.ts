import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import pg from 'pg'
import { eq, sql } from 'drizzle-orm'
import { QueryBuilder } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../../test/harness/test-db.ts'
import {
  appTransaction,
  compileSelect,
  compileStatement,
  decodeRows,
  newQueryStats,
  openEngine,
  readStatement,
  schema,
  statementCache,
  withQueryStats,
  type Engine,
} from './index.ts'
import { createPreparedStatements, MAX_NAMED_PER_CONNECTION } from './pg-prepared.ts'
import { MAX_BATCH, pipelinedReader } from './pg-read.ts'
import { valuesFor, type Statement, type StatementReader } from './statements.ts'
import type { TxBinding } from './binding.ts'

/** pg's wire connection: each pipeline ends with one Sync, and Describe asks for a result's columns. */
const { prototype: wire } = createRequire(import.meta.url)('pg/lib/connection.js') as {
  prototype: { sync(): void; describe(message: unknown): void }
}

const P = (name: string) => sql.placeholder(name)

/** Who a read runs as, and what it was bound to. */
const whoAmI = compileStatement(sql`select current_user::text, current_setting('app.site_id'),
  current_setting('app.user_id'), current_setting('app.network'), ${P('echo')}::text`)
/** The probe's titles the bound site may see. */
const titles = compileStatement(sql`select title from read_probe where id > ${P('after')} order by id`)

/** A table of two sites' rows under row-level security, readable by the application role. */
async function createReadProbe(db: TestDatabase): Promise<void> {
  await db.engine.ownerTransaction((q) =>
    q.exec(`
      CREATE TABLE read_probe (id int PRIMARY KEY, site_id text NOT NULL, title text NOT NULL);
      INSERT INTO read_probe VALUES (1, 'a', 'A only'), (2, 'b', 'B only');
      ALTER TABLE read_probe ENABLE ROW LEVEL SECURITY;
      ALTER TABLE read_probe FORCE ROW LEVEL SECURITY;
      CREATE POLICY read_probe_site ON read_probe USING (site_id = current_setting('app.site_id', true));
      GRANT SELECT ON read_probe TO colophon_app;`),
  )
}

describe('compiled statements', () => {
  it('refuse a value where a placeholder belongs, so no caller value is ever baked into a shared text', () => {
    const site = 'site-a'
    expect(() => compileStatement(sql`select 1 where ${site} = ${P('site')}`)).toThrow(TypeError)
    expect(() => compileStatement(sql`select ${P('a')}::text, ${P('b')}::int, ${P('a')}::text`)).not.toThrow()
  })

  it('name their slots in order, a placeholder used twice filling two, and name the same text alike', () => {
    const one = compileStatement(sql`select ${P('a')}::text, ${P('b')}::int, ${P('a')}::text`)
    const two = compileStatement(sql`select ${P('a')}::text, ${P('b')}::int, ${P('a')}::text`)
    expect(one.slots).toEqual(['a', 'b', 'a'])
    expect(one.text).toBe('select $1::text, $2::int, $3::text')
    expect(two.name).toBe(one.name)
    expect(compileStatement(sql`select 2`).name).not.toBe(one.name)
  })

  it('are cached per shape, least recently used dropped first past the bound', () => {
    const built: string[] = []
    const statementOf = statementCache((shape: { k: string }) => {
      built.push(shape.k)
      return sql.raw(`select '${shape.k}'`)
    }, 2)
    statementOf({ k: 'a' })
    statementOf({ k: 'b' })
    statementOf({ k: 'a' })
    statementOf({ k: 'c' })
    statementOf({ k: 'a' })
    statementOf({ k: 'b' })
    expect(built).toEqual(['a', 'b', 'c', 'b'])
  })
})

describe('compiled selects', () => {
  const qb = new QueryBuilder()
  const { sites } = schema

  it('keep the field names and decoders of a flat selection, in select-list order', () => {
    const select = compileSelect(
      qb
        .select({
          id: sites.id,
          createdAt: sites.createdAt,
          settings: sites.settings,
          one: sql<number>`1`.mapWith(Number),
        })
        .from(sites)
        .where(eq(sites.slug, sql.placeholder('slug'))),
    )
    expect(select.slots).toEqual(['slug'])
    expect(select.fields.map(([name]) => name)).toEqual(['id', 'createdAt', 'settings', 'one'])
    const at = new Date('2026-01-02T03:04:05.678Z')
    expect(
      decodeRows(select, [
        ['s1', at, { a: 1 }, '1'],
        ['s2', '2026-01-02 03:04:05.678+00', null, '2'],
      ]),
    ).toEqual([
      { id: 's1', createdAt: at, settings: { a: 1 }, one: 1 },
      { id: 's2', createdAt: at, settings: null, one: 2 },
    ])
  })

  it('refuse a nested selection and a bound value', () => {
    expect(() => compileSelect(qb.select({ site: { id: sites.id } }).from(sites))).toThrow(/flat selection/)
    expect(() =>
      compileSelect(qb.select({ id: sites.id }).from(sites).where(eq(sites.slug, 'main'))),
    ).toThrow(/placeholder/)
  })
})

describe('compiled reads (ctx.read)', () => {
  let db: TestDatabase
  /** One connection, so that what a read leaves behind on it is visible to the next statement. */
  let single: Engine
  beforeAll(async () => {
    db = await createTestDatabase('migrated')
    single = db.url ? await openEngine({ databaseUrl: db.url, dataDir: tmpdir(), poolMax: 1 }) : db.appEngine
    await createReadProbe(db)
  })
  afterAll(async () => {
    if (single !== db?.appEngine) await single?.close()
    await db?.destroy()
  })

  it('run as the application role with the site, user and scope bound, rows as arrays', async () => {
    const rows = await readStatement(single.orm, { siteId: 'site-a', userId: 'user-1' }, whoAmI, {
      echo: 'hello',
    })
    expect(rows).toEqual([['colophon_app', 'site-a', 'user-1', 'off', 'hello']])
  })

  it('are held by row-level security: the same prepared statement finds only the bound site’s rows', async () => {
    for (let round = 0; round < 3; round++) {
      expect(await readStatement(single.orm, { siteId: 'a' }, titles, { after: 0 })).toEqual([['A only']])
      expect(await readStatement(single.orm, { siteId: 'b' }, titles, { after: 0 })).toEqual([['B only']])
      expect(await readStatement(single.orm, {}, titles, { after: 0 })).toEqual([])
    }
  })

  it('leave no binding on the connection', async () => {
    await readStatement(single.orm, { siteId: 'a', userId: 'user-1' }, titles, { after: 0 })
    const [row] = await single.query<{ site: string | null; who: string }>(
      `SELECT current_setting('app.site_id', true) AS site, current_user::text AS who`,
    )
    expect(row?.site ?? '').toBe('')
    expect(row?.who).not.toBe('colophon_app')
  })

  it('leave the connection usable after a failed read, and bind the next one afresh', async () => {
    const failing = compileStatement(sql`select title from read_probe where id = ${P('id')}::int`)
    await expect(
      readStatement(single.orm, { siteId: 'a' }, failing, { id: 'not a number' }),
    ).rejects.toMatchObject({
      code: '22P02',
    })
    expect(await readStatement(single.orm, { siteId: 'b' }, titles, { after: 0 })).toEqual([['B only']])
    expect(await readStatement(single.orm, { siteId: 'a' }, failing, { id: 1 })).toEqual([['A only']])
    const inTx = await appTransaction(single.orm, { siteId: 'a' }, (tx) => tx.execute(sql`select 1 as one`))
    expect((inTx as unknown as { rows: unknown[] }).rows).toEqual([{ one: 1 }])
  })

  it('prepare again what the connection lost, and follow a schema change of their result', async () => {
    const everything = compileStatement(sql`select * from read_probe where id = ${P('id')} order by id`)
    expect(await readStatement(single.orm, { siteId: 'a' }, everything, { id: 1 })).toEqual([
      [1, 'a', 'A only'],
    ])
    await single.query('DEALLOCATE ALL')
    expect(await readStatement(single.orm, { siteId: 'a' }, everything, { id: 1 })).toEqual([
      [1, 'a', 'A only'],
    ])
    await db.engine.ownerTransaction((q) =>
      q.exec(`ALTER TABLE read_probe ADD COLUMN extra text DEFAULT 'x'`),
    )
    expect(await readStatement(single.orm, { siteId: 'a' }, everything, { id: 1 })).toEqual([
      [1, 'a', 'A only', 'x'],
    ])
  })

  it('are not the only prepared ones: every parameterised statement is, and parsed afresh once stale', async () => {
    await db.engine.ownerTransaction((q) =>
      q.exec(
        `CREATE TABLE plain_probe (id int PRIMARY KEY, title text); INSERT INTO plain_probe VALUES (1, 'one');`,
      ),
    )
    const text = 'select * from plain_probe where id = $1'
    expect(await single.query(text, [1])).toEqual([{ id: 1, title: 'one' }])
    if (db.url) {
      const named = await single.query<{ name: string }>(
        'select name from pg_prepared_statements where statement = $1',
        [text],
      )
      expect(named).toEqual([{ name: expect.stringMatching(/^colophon_q\d+_/) }])
    }
    await db.engine.ownerTransaction((q) => q.exec(`ALTER TABLE plain_probe ADD COLUMN more int DEFAULT 7`))
    // On PostgreSQL the prepared statement's result type no longer matches: it fails once, then the
    // connection names its texts afresh. PGlite prepares nothing.
    const stale = await single.query(text, [1]).then(
      () => null,
      (err: unknown) => err,
    )
    if (db.url) expect(stale).toMatchObject({ code: '0A000' })
    else expect(stale).toBeNull()
    expect(await single.query(text, [1])).toEqual([{ id: 1, title: 'one', more: 7 }])
  })

  it('are prepared afresh for every connection once the engine is told to forget them', async () => {
    const text = 'select title from plain_probe where id = $1'
    expect(await single.query(text, [1])).toEqual([{ title: 'one' }])
    single.forgetPreparedStatements()
    expect(await single.query(text, [1])).toEqual([{ title: 'one' }])
    if (db.url) {
      const names = await single.query<{ name: string }>(
        'select name from pg_prepared_statements where statement = $1 order by name',
        [text],
      )
      // The old name stays with the connection; the statement now runs under the next generation's.
      const generations = names.map((n) => Number(n.name.split('_')[1]?.slice(1))).sort((a, b) => a - b)
      expect(generations).toHaveLength(2)
      expect(generations[1]).toBe((generations[0] as number) + 1)
    }
  })

  it('keep a bounded number of prepared statements per connection', async () => {
    for (let i = 0; i < MAX_NAMED_PER_CONNECTION + 20; i++) {
      const distinct = compileStatement(sql`select ${sql.raw(String(i))} + ${P('n')}::int`)
      expect(await readStatement(single.orm, {}, distinct, { n: 1 })).toEqual([[i + 1]])
    }
    // Of the distinct texts above, at most what the bound leaves (PGlite prepares none).
    const [row] = await single.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE 'select % + $1::int'`,
    )
    expect(row?.n).toBeLessThanOrEqual(MAX_NAMED_PER_CONNECTION)
    if (db.url) expect(row?.n).toBeGreaterThan(MAX_NAMED_PER_CONNECTION - 10)
  })

  it('are counted as one query plus the binding, and planned on request like any read', async () => {
    const stats = newQueryStats()
    stats.plans = []
    const rows = await withQueryStats(stats, () =>
      readStatement(single.orm, { siteId: 'a' }, titles, { after: 0 }),
    )
    expect(rows).toEqual([['A only']])
    expect(stats).toMatchObject({ queries: 1, transactions: 1 })
    expect(stats.plans).toHaveLength(1)
    expect(stats.plans?.[0]?.text).toBe(titles.text)
    const plain = newQueryStats()
    await withQueryStats(plain, () => readStatement(single.orm, { siteId: 'a' }, titles, { after: 0 }))
    expect(plain).toMatchObject({ queries: 1, transactions: 1 })
  })

  it('fail alone: a failing read of a batch leaves the others their rows', async () => {
    const failing = compileStatement(sql`select title from read_probe where id = ${P('id')}::int`)
    const settled = await Promise.allSettled([
      readStatement(single.orm, { siteId: 'a' }, titles, { after: 0 }),
      readStatement(single.orm, { siteId: 'a' }, failing, { id: 'not a number' }),
      readStatement(single.orm, { siteId: 'b' }, titles, { after: 0 }),
    ])
    expect(settled[0]).toEqual({ status: 'fulfilled', value: [['A only']] })
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { code: '22P02' } })
    expect(settled[2]).toEqual({ status: 'fulfilled', value: [['B only']] })
  })

  it('are described once per connection and decode every type the same afterwards', async () => {
    const typed = compileStatement(sql`select ${P('n')}::int8, '{"a":[1]}'::jsonb,
      timestamptz '2026-01-02 03:04:05.678+00', true, date '2026-03-04', null::text, ${P('n')}::int4`)
    const expected = (n: number) => [
      [n, { a: [1] }, new Date('2026-01-02T03:04:05.678Z'), true, '2026-03-04', null, n],
    ]
    // The connection's names start afresh (the bound test above filled them).
    single.forgetPreparedStatements()
    const describe = vi.spyOn(wire, 'describe')
    try {
      expect(await readStatement(single.orm, {}, typed, { n: 7 })).toEqual(expected(7))
      expect(await readStatement(single.orm, {}, typed, { n: 8 })).toEqual(expected(8))
      expect(await Promise.all([9, 10].map((n) => readStatement(single.orm, {}, typed, { n })))).toEqual([
        expected(9),
        expected(10),
      ])
      // Once, for the first read: the binding is never described, nor a statement the connection holds.
      if (db.url) expect(describe).toHaveBeenCalledTimes(1)
    } finally {
      describe.mockRestore()
    }
  })

  it('refuse a missing value before anything is sent', async () => {
    await expect(readStatement(single.orm, { siteId: 'a' }, titles, {})).rejects.toThrow(
      /no value for placeholder "after"/,
    )
  })
})

/**
 * Batching on PostgreSQL, with a reader of its own on a one-connection pool: the slow-statement threshold
 * is set by each test, so that a loaded machine does not change which reads go together.
 */
describe.skipIf(inject('harness').engine !== 'postgres')('batched reads (PostgreSQL)', () => {
  let db: TestDatabase
  let pool: pg.Pool
  beforeAll(async () => {
    db = await createTestDatabase('migrated')
    pool = new pg.Pool({ connectionString: db.url, max: 1 })
    await createReadProbe(db)
  })
  afterAll(async () => {
    await pool?.end()
    await db?.destroy()
  })

  /** A reader of its own (made on first use: the pool opens before the tests run). */
  const readerWith = (slowReadMs: number) => {
    let reader: StatementReader | undefined
    return (binding: TxBinding, statement: Statement, values: Record<string, unknown>) => {
      reader ??= pipelinedReader(pool, createPreparedStatements(), { slowReadMs })
      return reader(binding, statement, valuesFor(statement, values))
    }
  }

  describe('never slow', () => {
    const read = readerWith(Number.POSITIVE_INFINITY)
    it('queued in one turn of the event loop go as one pipeline, each under its own binding', async () => {
      const sync = vi.spyOn(wire, 'sync')
      try {
        const bindings = Array.from({ length: 12 }, (_, i) => ({
          siteId: ['a', 'b', ''][i % 3] as string,
          userId: `user-${i}`,
        }))
        const who = await Promise.all(bindings.map((b, i) => read(b, whoAmI, { echo: `read ${i}` })))
        expect(who).toEqual(
          bindings.map((b, i) => [['colophon_app', b.siteId, b.userId, 'off', `read ${i}`]]),
        )
        const seen = await Promise.all(bindings.map((b) => read(b, titles, { after: 0 })))
        const own = { a: [['A only']], b: [['B only']], '': [] } as Record<string, unknown>
        expect(seen).toEqual(bindings.map((b) => own[b.siteId]))
        // Each Promise.all is one queue, leaving in as few pipelines as MAX_BATCH allows.
        expect(sync).toHaveBeenCalledTimes(2 * Math.ceil(bindings.length / MAX_BATCH))
        sync.mockClear()
        await Promise.all(
          Array.from({ length: MAX_BATCH + 1 }, () => read({ siteId: 'a' }, titles, { after: 0 })),
        )
        expect(sync).toHaveBeenCalledTimes(2)
      } finally {
        sync.mockRestore()
      }
    })
  })

  describe('slow past 200 ms', () => {
    const SLOW_MS = 200
    const read = readerWith(SLOW_MS)
    it('go alone after a slow pipeline, so a slow statement holds up no other read', async () => {
      const sleepy = compileStatement(sql`select ${P('n')}::int from pg_sleep(${P('s')}::float8)`)
      const slowly = { n: 1, s: (SLOW_MS * 1.5) / 1000 }
      const sync = vi.spyOn(wire, 'sync')
      try {
        expect(await read({}, sleepy, slowly)).toEqual([[1]])
        sync.mockClear()
        const together = () =>
          Promise.all([
            read({}, sleepy, { n: 2, s: 0 }),
            ...[1, 2, 3].map(() => read({ siteId: 'a' }, titles, { after: 0 })),
          ])
        expect(await together()).toEqual([[[2]], [['A only']], [['A only']], [['A only']]])
        expect(sync).toHaveBeenCalledTimes(2)
        // Fast when alone, it is batched again.
        sync.mockClear()
        await together()
        expect(sync).toHaveBeenCalledTimes(1)
      } finally {
        sync.mockRestore()
      }
    })
  })
})
