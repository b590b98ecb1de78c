/**
 * Opens the database for the Deno process: postgres.js when DATABASE_URL is set, otherwise PGlite
 * persisted under DATA_DIR (default `.data/pglite`), and reads the migration files from disk.
 */
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import type { AppConfig, ServerConfig } from '../../config.ts'
import type { Database } from '../../db/database.ts'
import type { Migration } from '../../db/migrate.ts'
import { PGliteDialect } from '../../db/pglite-dialect.ts'
import { createPostgresDb } from '../../db/postgres.ts'
import type { DB } from '../../db/schema.ts'

export const MIGRATIONS_DIR = new URL('../../../migrations/', import.meta.url)

export async function readMigrations(): Promise<Migration[]> {
  const migrations: Migration[] = []
  for await (const entry of Deno.readDir(MIGRATIONS_DIR)) {
    if (entry.isFile && entry.name.endsWith('.sql')) {
      migrations.push({ name: entry.name, sql: await Deno.readTextFile(new URL(entry.name, MIGRATIONS_DIR)) })
    }
  }
  return migrations
}

export async function openDatabase(config: AppConfig, server: ServerConfig): Promise<{ db: Database; description: string }> {
  if (config.databaseUrl) {
    const url = new URL(config.databaseUrl)
    return { db: createPostgresDb(config.databaseUrl, { max: config.databasePoolMax }), description: `postgres ${url.host}${url.pathname}` }
  }
  const { dataDir } = server
  await Deno.mkdir(dataDir, { recursive: true })
  const pg = new PGlite({ dataDir })
  await pg.waitReady
  return { db: new Kysely<DB>({ dialect: new PGliteDialect(pg) }), description: `embedded PGlite in ${dataDir}` }
}
