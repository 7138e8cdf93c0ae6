import { createHash } from 'node:crypto'
import { Column, is, Placeholder, SQL, type SQLWrapper } from 'drizzle-orm'
import { PgDialect } from 'drizzle-orm/pg-core'
import type { TxBinding } from './binding.ts'

/**
 * Statements compiled once per query shape (ADR 0015). A repository describes a read as a shape (plain
 * data: which columns, which filters are present, the sort, the page size) and a builder that sees only
 * the shape writes its SQL with `sql.placeholder(name)` for every value. `compileStatement` refuses any
 * other parameter, so a value can never be baked into a text that is cached and shared between callers;
 * `statementCache` keeps the compiled statements of the shapes met, bounded.
 *
 * A compiled statement carries a server-side name (from a hash of its text): PostgreSQL prepares it once
 * per connection and, once its generic plan is as cheap as a custom one, stops planning it. Values are
 * given by placeholder name when the statement is read (`ctx.read`).
 */

export interface Statement {
  /** The SQL, with `$1…$n` in the order of `slots`. */
  readonly text: string
  /** The server-side name: the same text always gets the same name. */
  readonly name: string
  /** The placeholder name behind each `$n`, in order (a name used twice fills two slots). */
  readonly slots: readonly string[]
}

/** Hashing a text costs more than looking it up: the texts seen are few (one per query shape). */
const hashes = new Map<string, string>()
const MAX_HASHES = 5000

/** A short hash of a statement's text, the part of its server-side name that tells texts apart. */
export function hashOf(text: string): string {
  let hash = hashes.get(text)
  if (hash === undefined) {
    if (hashes.size >= MAX_HASHES) hashes.clear()
    hash = createHash('sha1').update(text).digest('hex').slice(0, 20)
    hashes.set(text, hash)
  }
  return hash
}

const dialect = new PgDialect()

/** Compiles `query`; throws a TypeError when a parameter is anything but a named placeholder. */
export function compileStatement(query: SQL): Statement {
  const { sql: text, params } = dialect.sqlToQuery(query)
  const slots = params.map((param, index) => {
    if (!is(param, Placeholder))
      throw new TypeError(
        `statement parameter $${index + 1} is a value, not a placeholder: a compiled statement is shared by every caller, so every value must be sql.placeholder(name)`,
      )
    return (param as Placeholder<string>).name
  })
  return { text, name: `colophon_${hashOf(text)}`, slots }
}

/** How a selected field's driver value becomes the application's (the query builder's own mapping). */
interface FieldDecoder {
  mapFromDriverValue(value: unknown): unknown
}

/** A compiled query-builder select: its statement, and its fields in select-list order. */
export interface CompiledSelect<R> extends Statement {
  readonly fields: readonly (readonly [name: string, decoder: FieldDecoder])[]
  /** Type only: the row `decodeRows` gives. */
  readonly row?: R
}

/** The decoder `.mapWith()` set on an SQL field (the builder keeps it internal). */
const decoderOf = (field: SQL): FieldDecoder => (field as unknown as { decoder: FieldDecoder }).decoder

/** A query-builder select: `_.result` is its rows' type; `config.fields` its selection at run time. */
type Selecting = SQLWrapper & { readonly _: { readonly result: readonly unknown[] } }

/**
 * Compiles a select made with the standalone query builder (`new QueryBuilder()` from drizzle-orm/pg-core,
 * values as `sql.placeholder(name)`), keeping how to decode its rows. Only flat selections (field name →
 * column or SQL): nested objects would need the builder's own row mapping, which is what this avoids.
 */
export function compileSelect<Q extends Selecting>(query: Q): CompiledSelect<Q['_']['result'][number]> {
  // The builder's own selection, in the order it writes the select list (its getSelectedFields() is a
  // proxy for use as a subquery, which refuses unaliased SQL fields).
  const selected = (query as unknown as { config: { fields: Record<string, unknown> } }).config.fields
  const fields = Object.entries(selected).map(([name, field]): [string, FieldDecoder] => {
    if (is(field, Column)) return [name, field as unknown as FieldDecoder]
    if (is(field, SQL)) return [name, decoderOf(field)]
    if (is(field, SQL.Aliased)) return [name, decoderOf(field.sql)]
    throw new TypeError(`compileSelect takes a flat selection: "${name}" is not a column or SQL`)
  })
  return { ...compileStatement(query.getSQL()), fields }
}

/** Rows of a compiled select (arrays, as `ctx.read` answers) as objects keyed by field name. */
export function decodeRows<R>(select: CompiledSelect<R>, rows: readonly unknown[][]): R[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {}
    select.fields.forEach(([name, decoder], index) => {
      const value = row[index]
      out[name] = value === null || value === undefined ? null : decoder.mapFromDriverValue(value)
    })
    return out as R
  })
}

/** The values of `statement`'s slots, from a record keyed by placeholder name. */
export function valuesFor(statement: Statement, values: Readonly<Record<string, unknown>>): unknown[] {
  return statement.slots.map((slot) => {
    const value = values[slot]
    if (value === undefined) throw new TypeError(`no value for placeholder "${slot}"`)
    return value
  })
}

/**
 * A bounded cache of compiled statements keyed by shape (its JSON, so build shapes with their keys in a
 * fixed order). The least recently used shape is dropped first; the default bound is far above the
 * number of shapes a site's traffic produces, and the unbounded ones (a client trying every filter
 * combination) only cost a compile.
 */
export function statementCache<S>(build: (shape: S) => SQL, max = 500): (shape: S) => Statement {
  const compiled = new Map<string, Statement>()
  return (shape) => {
    const key = JSON.stringify(shape)
    const hit = compiled.get(key)
    if (hit !== undefined) {
      // Re-inserting moves the key to the end: Map iteration order is the recency order.
      compiled.delete(key)
      compiled.set(key, hit)
      return hit
    }
    const statement = compileStatement(build(shape))
    compiled.set(key, statement)
    if (compiled.size > max) compiled.delete(compiled.keys().next().value as string)
    return statement
  }
}

/**
 * Runs one compiled read bound to `binding` (role, site, user, scope, exactly as `appTransaction` binds
 * them) and answers its rows as arrays, in select-list order. Each engine registers its own (engine.ts).
 */
export type StatementReader = (
  binding: TxBinding,
  statement: Statement,
  values: readonly unknown[],
) => Promise<unknown[][]>

/** A compiled read as services call it (`ctx.read`): values by placeholder name, rows as arrays. */
export type StatementRead = (
  statement: Statement,
  values: Readonly<Record<string, unknown>>,
) => Promise<unknown[][]>

const readers = new WeakMap<object, StatementReader>()

export function setStatementReader(orm: object, read: StatementReader): void {
  readers.set(orm, read)
}

/** Reads `statement` with `values` (by placeholder name) on the engine behind `orm`. */
export async function readStatement(
  orm: object,
  binding: TxBinding,
  statement: Statement,
  values: Readonly<Record<string, unknown>>,
): Promise<unknown[][]> {
  const read = readers.get(orm)
  if (read === undefined) throw new TypeError('no statement reader registered for this database')
  return read(binding, statement, valuesFor(statement, values))
}
