/**
 * The database a test file works on: this run's Postgres database when TEST_DATABASE_URL is set,
 * otherwise its own in-memory PGlite started from the migrated template.
 */
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { readFileSync } from 'node:fs'
import { inject } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { PGliteDialect } from '../../src/db/pglite-dialect.ts'
import { createPostgresDb } from '../../src/db/postgres.ts'
import type { DB } from '../../src/db/schema.ts'

export const onPostgres = inject('postgresUrl') !== null

export async function openTestDatabase(): Promise<Database> {
  const postgresUrl = inject('postgresUrl')
  if (postgresUrl) return createPostgresDb(postgresUrl, { max: 8 })
  const template = inject('pgliteTemplate')
  if (!template) throw new Error('the global setup provided neither a Postgres database nor a PGlite template')
  const pg = new PGlite({ loadDataDir: new Blob([readFileSync(template)]) })
  await pg.waitReady
  return new Kysely<DB>({ dialect: new PGliteDialect(pg) })
}
