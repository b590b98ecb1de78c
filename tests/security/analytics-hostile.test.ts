/** Hostile filters on the dashboards and exports: a clear 4xx, never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { createAccount, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'

let db: Database
let manager: TestClient
let admin: TestClient

async function signIn(app: ReturnType<typeof createTestApp>['app'], account: { email: string | null }) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

beforeAll(async () => {
  db = await openTestDatabase()
  const { app } = createTestApp(db)
  const tenant = await createTenant(db)
  manager = await signIn(app, await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
  admin = await signIn(app, await createAccount(db, { role: 'super_admin' }))
})
afterAll(() => db.destroy())

describe('dashboard and export filters at the edge of the calendar', () => {
  const queries = ['from=0000-01-01&to=0000-01-02', 'from=9999-12-30&to=9999-12-31', 'from=0000-01-01', 'to=9999-12-31', 'from=0001-01-01&to=0001-01-01']
  const paths = ['/manage', '/manage/exports/orders.csv', '/manage/exports/attendees.xlsx', '/manage/exports/summary.pdf']
  for (const query of queries) {
    it(`answers ${query} without a 500`, async () => {
      for (const path of paths) {
        const res = await manager.get(`${path}?${query}`)
        expect(res.status, path).toBeLessThan(500)
      }
      expect((await admin.get(`/admin/dashboard?${query}`)).status).toBeLessThan(500)
      expect((await admin.get(`/admin/exports/orders.csv?${query}`)).status).toBeLessThan(500)
    })
  }
})
