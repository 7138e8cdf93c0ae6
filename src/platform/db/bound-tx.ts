/**
 * Engines that can open a transaction and bind it in one round trip register how here (PostgreSQL over
 * the network: BEGIN and the binding travel in one simple-protocol message). `appTransaction` uses the
 * runner when one exists and falls back to the query builder's transaction otherwise (PGlite, in-process,
 * where a round trip costs next to nothing). Kept apart from engine.ts and tx.ts so neither imports the
 * other.
 */
export type BoundTransactionRunner = <T>(preamble: string, fn: (tx: never) => Promise<T>) => Promise<T>

const runners = new WeakMap<object, BoundTransactionRunner>()

export function setBoundTransactionRunner(orm: object, run: BoundTransactionRunner): void {
  runners.set(orm, run)
}

export function boundTransactionRunnerOf(orm: object): BoundTransactionRunner | undefined {
  return runners.get(orm)
}
