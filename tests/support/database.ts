/**
 * The database a test file works on: this run's Postgres database when TEST_DATABASE_URL is set,
 * otherwise its own in-memory PGlite started from the migrated template.
 */
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import { inject } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { migrate } from '../../src/db/migrate.ts'
import { PGliteDialect } from '../../src/db/pglite-dialect.ts'
import { createPostgresDb } from '../../src/db/postgres.ts'
import type { DB } from '../../src/db/schema.ts'
import { readMigrations } from './migrations.ts'

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

/**
 * A database of its own, empty but migrated, for tests that need one (demo data loads only into an empty
 * database). On Postgres it is created next to this run's database and dropped by `close`.
 */
export async function openFreshDatabase(): Promise<{ db: Database; close: () => Promise<void> }> {
  const postgresUrl = inject('postgresUrl')
  if (!postgresUrl) {
    const db = await openTestDatabase()
    return { db, close: () => db.destroy() }
  }
  const url = new URL(postgresUrl)
  const name = `${url.pathname.slice(1)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = postgres(postgresUrl, { max: 1, onnotice: () => {} })
  await admin.unsafe(`create database ${name}`)
  url.pathname = `/${name}`
  const db = createPostgresDb(url.toString(), { max: 8 })
  await migrate(db, readMigrations())
  return {
    db,
    close: async () => {
      await db.destroy()
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    },
  }
}
