/** Kysely over postgres.js: a real Postgres server (local, managed, or behind Cloudflare Hyperdrive). */
import { Kysely } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import postgres from 'postgres'
import type { DB } from './schema.ts'

export interface PostgresOptions {
  /** Pool size. Workers create one small client per request (6 outgoing connections at most). */
  max?: number
  /** Seconds to wait for a connection before failing (so /healthz can answer 503 promptly). */
  connectTimeoutSeconds?: number
}

export function createPostgresDb(url: string, options: PostgresOptions = {}): Kysely<DB> {
  const client = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutSeconds ?? 5,
    onnotice: () => {},
  })
  return new Kysely<DB>({ dialect: new PostgresJSDialect({ postgres: client }) })
}
