import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createPostgresDb } from '../../src/db/postgres.ts'
import { createTestApp } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'

describe('GET /healthz', () => {
  let db: Database
  beforeAll(async () => {
    db = await openTestDatabase()
  })
  afterAll(() => db.destroy())

  it('answers 200 after a database round trip', async () => {
    const res = await createTestApp(db).app.request('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok' })
    expect(res.headers.get('cache-control')).toBe('no-store')
  })

  it('answers 503 when the database is unreachable', async () => {
    // Nothing listens on port 1; the connection is refused at once.
    const unreachable = createPostgresDb('postgres://nobody@127.0.0.1:1/none', { max: 1, connectTimeoutSeconds: 1 })
    const res = await createTestApp(unreachable).app.request('/healthz')
    expect(res.status).toBe(503)
    expect(await res.json()).toEqual({ status: 'unavailable', database: 'unreachable' })
    await unreachable.destroy()
  })
})
