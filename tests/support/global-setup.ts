/**
 * Once per test run. With TEST_DATABASE_URL, creates and migrates this run's template database on that
 * server, which every test file clones into a database of its own (tests/support/database.ts); at the
 * end it drops the template and any clone a crashed file left behind, so runs never collide. Otherwise
 * it builds a migrated PGlite data directory that each test file starts from instead of migrating again.
 * Either way it starts a Redis for the Upstash tests when none answers (and stops it at the end).
 */
import { PGlite } from '@electric-sql/pglite'
import { Kysely } from 'kysely'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'
import { migrate } from '../../src/db/migrate.ts'
import { PGliteDialect } from '../../src/db/pglite-dialect.ts'
import { createPostgresDb } from '../../src/db/postgres.ts'
import type { DB } from '../../src/db/schema.ts'
import { readMigrations } from './migrations.ts'
import { startRedisIfNeeded } from './prerequisites.mjs'

declare module 'vitest' {
  export interface ProvidedContext {
    /** postgres:// URL of this run's migrated template database, when running on real Postgres (never connect to it: clone it). */
    postgresTemplateUrl: string | null
    /** Path of a migrated PGlite data directory dump, when running on PGlite. */
    pgliteTemplate: string | null
  }
}

export default async function setup(project: TestProject) {
  const stopRedis = await startRedisIfNeeded()
  const teardownDatabase = await setupDatabase(project).catch(async (error: unknown) => {
    await stopRedis()
    throw error
  })
  return async () => {
    await teardownDatabase()
    await stopRedis()
  }
}

async function setupDatabase(project: TestProject): Promise<() => unknown> {
  const serverUrl = process.env.TEST_DATABASE_URL
  if (serverUrl) {
    const name = `ticketing_test_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    const url = new URL(serverUrl)
    url.pathname = `/${name}`
    const db = createPostgresDb(url.toString(), { max: 1 })
    await migrate(db, readMigrations())
    await db.destroy()
    project.provide('postgresTemplateUrl', url.toString())
    project.provide('pgliteTemplate', null)
    return async () => {
      const clones = await admin.unsafe<Array<{ datname: string }>>(
        `select datname from pg_database where datname like '${name}\\_%'`)
      for (const { datname } of clones) await admin.unsafe(`drop database if exists ${datname} with (force)`)
      await admin.unsafe(`drop database if exists ${name} with (force)`)
      await admin.end()
    }
  }

  const pg = new PGlite()
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pg) })
  await migrate(db, readMigrations())
  const dump = await pg.dumpDataDir('none')
  await db.destroy()
  const dir = mkdtempSync(join(tmpdir(), 'ticketing-pglite-'))
  const file = join(dir, 'template.tar')
  writeFileSync(file, new Uint8Array(await dump.arrayBuffer()))
  project.provide('postgresTemplateUrl', null)
  project.provide('pgliteTemplate', file)
  return () => rmSync(dir, { recursive: true, force: true })
}
