import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { migrate } from '../../src/db/migrate.ts'
import { openTestDatabase } from '../support/database.ts'
import { readMigrations } from '../support/migrations.ts'

describe('migrations', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(() => db.destroy())

  it('applies nothing on a database that is up to date', async () => {
    expect(await migrate(db, readMigrations())).toEqual([])
  })

  it('records every migration file', async () => {
    const { rows } = await sql<{ name: string }>`select name from schema_migrations order by name`.execute(db)
    expect(rows.map((row) => row.name)).toEqual(readMigrations().map((m) => m.name).sort())
  })

  it('refuses to run when an applied migration file was edited', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, sql: `${m.sql}\n-- edited` } : m))
    await expect(migrate(db, edited)).rejects.toThrow(/changed after it was applied/)
  })

  it('creates a table for every collection of the specification, and the platform tables', async () => {
    const { rows } = await sql<{ table_name: string }>`
      select table_name from information_schema.tables where table_schema = 'public'`.execute(db)
    const tables = rows.map((row) => row.table_name)
    for (const table of [
      'users', 'events', 'ticket_types', 'tickets', 'transactions', 'transfers', 'marketplace_listings', 'scans',
      'notifications', 'tenants', 'memberships', 'sessions', 'jobs', 'idempotency_keys', 'audit_log',
    ]) expect(tables).toContain(table)
  })

  it('keeps money in integer minor units and time as timestamptz', async () => {
    const { rows } = await sql<{ column_name: string; data_type: string }>`
      select column_name, data_type from information_schema.columns
      where table_schema = 'public' and (column_name like '%\_minor' or column_name like '%\_at')`.execute(db)
    expect(rows.length).toBeGreaterThan(20)
    for (const row of rows) {
      if (row.column_name.endsWith('_minor')) expect(row.data_type, row.column_name).toBe('integer')
      else expect(row.data_type, row.column_name).toBe('timestamp with time zone')
    }
  })
})
