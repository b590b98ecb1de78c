import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Migration } from '../../src/db/migrate.ts'

export const MIGRATIONS_DIR = join(import.meta.dirname, '../../migrations')

/** The migration files, read the way the Deno entry reads them, for tests running on Node. */
export function readMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((name) => name.endsWith('.sql'))
    .map((name) => ({ name, sql: readFileSync(join(MIGRATIONS_DIR, name), 'utf8') }))
}
