/** Kysely over postgres.js: a real Postgres server (local, managed, or behind Cloudflare Hyperdrive). */
import { Kysely } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import postgres, { type Sql } from 'postgres'
import type { DB } from './schema.ts'

export interface PostgresOptions {
  /** Pool size. Workers create one small client per request (6 outgoing connections at most). */
  max?: number
  /** Seconds to wait for a connection before failing (so /healthz can answer 503 promptly). */
  connectTimeoutSeconds?: number
  /**
   * Named prepared statements, kept per connection (default true). A client that lives for one request
   * (Workers) gains nothing from them and turns them off.
   */
  prepare?: boolean
}

export function createPostgresDb(url: string, options: PostgresOptions = {}): Kysely<DB> {
  const client = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    onnotice: () => {},
  })
  const sql = options.prepare === false ? client : preparingStatements(client)
  return new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: sql }) })
}

type Reserved = Awaited<ReturnType<Sql['reserve']>>

/**
 * kysely-postgres-js runs every query through postgres.js's `unsafe()`, which prepares nothing: a query with
 * parameters then costs two round trips (describe, then execute) and is parsed and planned each time. On a
 * connection of the pool a statement is better prepared once and then only executed: one round trip, one
 * socket write (a fifth of the server's CPU in a flash sale's queue went to those writes). The driver uses only
 * `reserve()`, and of a reserved connection only `unsafe()` and `release()`.
 */
function preparingStatements(client: Sql): Sql {
  const reserve = async () => {
    const reserved = await client.reserve()
    return {
      unsafe: (query: string, parameters?: unknown[], queryOptions?: object) =>
        reserved.unsafe(query, parameters as never, { prepare: true, ...queryOptions }),
      release: () => reserved.release(),
    } as unknown as Reserved
  }
  return new Proxy(client, { get: (target, key) => (key === 'reserve' ? reserve : Reflect.get(target, key)) })
}
