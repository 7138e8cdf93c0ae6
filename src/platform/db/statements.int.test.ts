import { tmpdir } from 'node:os'
import { eq, sql } from 'drizzle-orm'
import { QueryBuilder } from 'drizzle-orm/pg-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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
import { MAX_NAMED_PER_CONNECTION } from './pg-prepared.ts'

const P = (name: string) => sql.placeholder(name)

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
    await db.engine.ownerTransaction((q) =>
      q.exec(`
        CREATE TABLE read_probe (id int PRIMARY KEY, site_id text NOT NULL, title text NOT NULL);
        INSERT INTO read_probe VALUES (1, 'a', 'A only'), (2, 'b', 'B only');
        ALTER TABLE read_probe ENABLE ROW LEVEL SECURITY;
        ALTER TABLE read_probe FORCE ROW LEVEL SECURITY;
        CREATE POLICY read_probe_site ON read_probe USING (site_id = current_setting('app.site_id', true));
        GRANT SELECT ON read_probe TO colophon_app;`),
    )
  })
  afterAll(async () => {
    if (single !== db?.appEngine) await single?.close()
    await db?.destroy()
  })

  const whoAmI = compileStatement(sql`select current_user::text, current_setting('app.site_id'),
    current_setting('app.user_id'), current_setting('app.network'), ${P('echo')}::text`)
  const titles = compileStatement(sql`select title from read_probe where id > ${P('after')} order by id`)

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

  it('refuse a missing value before anything is sent', async () => {
    await expect(readStatement(single.orm, { siteId: 'a' }, titles, {})).rejects.toThrow(
      /no value for placeholder "after"/,
    )
  })
})
