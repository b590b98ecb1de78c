/**
 * The database a test file works on. On Postgres (TEST_DATABASE_URL) every test file gets a database of
 * its own, cloned from this run's migrated template (`create database … template …` takes about 0.1 s,
 * migrating takes about 1 s) and dropped when the file ends, so no file sees another's rows or takes
 * another's jobs. On PGlite each call starts its own in-memory database from the migrated template.
 */
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { readFileSync } from 'node:fs'
import postgres from 'postgres'
import { inject } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { PGliteDialect } from '../../src/db/pglite-dialect.ts'
import { createPostgresDb } from '../../src/db/postgres.ts'
import type { DB } from '../../src/db/schema.ts'

export const onPostgres = inject('postgresTemplateUrl') !== null

/**
 * How a test that races requests names itself: PGlite hands out one connection, so there the racing
 * requests take turns; only Postgres (CI runs both) shows the race for real.
 */
export const concurrencyNote = onPostgres ? '(concurrent on Postgres)' : '(serialised on PGlite; concurrent on Postgres)'

let fileDatabaseUrl: Promise<string> | undefined

/** postgres:// URL of this test file's own database (made on first use). Only on Postgres. */
export function testDatabaseUrl(): Promise<string> {
  fileDatabaseUrl ??= cloneTemplate()
  return fileDatabaseUrl
}

/** Drops this file's database, if it made one; tests/support/per-file.ts calls it after the file's last test. */
export async function dropFileDatabase(): Promise<void> {
  if (!fileDatabaseUrl) return
  const url = await fileDatabaseUrl
  fileDatabaseUrl = undefined
  await dropDatabase(url)
}

export async function openTestDatabase(): Promise<Database> {
  if (onPostgres) return createPostgresDb(await testDatabaseUrl(), { max: 8 })
  const template = inject('pgliteTemplate')
  if (!template) throw new Error('the global setup provided neither a Postgres template nor a PGlite template')
  const pg = new PGlite({ loadDataDir: new Blob([readFileSync(template)]) })
  await pg.waitReady
  return new Kysely<DB>({ dialect: new PGliteDialect(pg) })
}

/**
 * A database of its own, empty but migrated, for tests that need one (demo data loads only into an empty
 * database). On Postgres it is another clone of the template, dropped by `close`.
 */
export async function openFreshDatabase(): Promise<{ db: Database; close: () => Promise<void> }> {
  if (!onPostgres) {
    const db = await openTestDatabase()
    return { db, close: () => db.destroy() }
  }
  const url = await cloneTemplate()
  const db = createPostgresDb(url, { max: 8 })
  return {
    db,
    close: async () => {
      await db.destroy()
      await dropDatabase(url)
    },
  }
}

async function cloneTemplate(): Promise<string> {
  const template = new URL(inject('postgresTemplateUrl')!)
  const name = `${template.pathname.slice(1)}_${Math.random().toString(36).slice(2, 10)}`
  await onServer(template, (admin) => admin.unsafe(`create database ${name} template ${template.pathname.slice(1)}`))
  const url = new URL(template)
  url.pathname = `/${name}`
  return url.toString()
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl)
  await onServer(url, (admin) => admin.unsafe(`drop database if exists ${url.pathname.slice(1)} with (force)`))
}

/** Runs one statement on the server's `postgres` database (never on the template: a clone needs it unused). */
async function onServer(databaseUrl: URL, statement: (admin: postgres.Sql) => Promise<unknown>): Promise<void> {
  const url = new URL(databaseUrl)
  url.pathname = '/postgres'
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} })
  try {
    await statement(admin)
  } finally {
    await admin.end()
  }
}
