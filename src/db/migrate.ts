/**
 * Applies the ordered SQL files of `migrations/`. Each runs in its own transaction under an advisory
 * lock, so two starting servers never apply the same file twice. Applied files are frozen: a changed
 * checksum stops the run instead of silently diverging.
 */
import { sql } from 'kysely'
import { sha256Hex } from '../lib/crypto.ts'
import type { Database } from './database.ts'

export interface Migration {
  name: string
  sql: string
}

const LOCK_KEY = 7_301_994_211 // arbitrary, constant: serialises migration runs on one database

/** Applies pending migrations in name order; returns the names it applied. */
export async function migrate(db: Database, migrations: Migration[]): Promise<string[]> {
  const ordered = [...migrations].sort((a, b) => a.name.localeCompare(b.name))
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx)
    await sql`create table if not exists schema_migrations (
                name text primary key, checksum text not null, applied_at timestamptz not null default now())`
      .execute(trx)
  })
  const applied: string[] = []
  for (const migration of ordered) {
    const checksum = await sha256Hex(migration.sql)
    const didApply = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(trx)
      const existing = await sql<{ checksum: string }>`
        select checksum from schema_migrations where name = ${migration.name}`.execute(trx)
      const row = existing.rows[0]
      if (row) {
        if (row.checksum !== checksum) {
          throw new Error(`migration ${migration.name} changed after it was applied; add a new file instead`)
        }
        return false
      }
      await sql.raw(migration.sql).execute(trx)
      await sql`insert into schema_migrations (name, checksum) values (${migration.name}, ${checksum})`.execute(trx)
      return true
    })
    if (didApply) applied.push(migration.name)
  }
  return applied
}
