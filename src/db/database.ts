/**
 * The database port. The Deno server keeps one Kysely instance for its lifetime; Workers open a small
 * client per request and close it when the response is done.
 */
import type { Kysely, Transaction } from 'kysely'
import type { DB } from './schema.ts'

export type Database = Kysely<DB>
/** What query functions take: the database or a transaction on it. */
export type Queryable = Kysely<DB> | Transaction<DB>

export interface DatabaseLease {
  db: Database
  /** Called once the response is finished. */
  release(): Promise<void>
}

export interface DatabaseProvider {
  acquire(): DatabaseLease
}

/** One long-lived instance shared by every request. */
export function sharedDatabase(db: Database): DatabaseProvider {
  const lease: DatabaseLease = { db, release: async () => {} }
  return { acquire: () => lease }
}
