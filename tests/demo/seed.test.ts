import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { verifyPassword } from '../../src/accounts/password.ts'
import type { Database } from '../../src/db/database.ts'
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemoDataIfEmpty } from '../../src/demo/seed.ts'
import { createTestApp } from '../support/app.ts'
import { asSystem } from '../support/fixtures.ts'
import { openFreshDatabase } from '../support/database.ts'

describe('demo data', () => {
  let db: Database
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ db, close } = await openFreshDatabase())
  })
  afterAll(() => close())

  it('loads the demo accounts, organisers and events on an empty database, once', async () => {
    expect(await seedDemoDataIfEmpty(db)).toBe(true)
    expect(await seedDemoDataIfEmpty(db)).toBe(false)
    const users = await asSystem(db, (trx) => trx.selectFrom('users').select(['email', 'role', 'password_hash']).execute())
    expect(users.map((u) => u.email).sort()).toEqual(Object.values(DEMO_LOGINS).sort())
    const admin = users.find((u) => u.email === DEMO_LOGINS.superAdmin)!
    expect(admin.role).toBe('super_admin')
    expect(await verifyPassword(DEMO_PASSWORD, admin.password_hash!)).toBe(true)
  })

  it('gives two active organisers published upcoming events with ticket types, and a scanner assignment', async () => {
    const rows = await asSystem(db, (trx) => trx.selectFrom('events as e')
      .innerJoin('tenants as t', 't.id', 'e.tenant_id')
      .select(['t.slug as tenant', 't.status as tenantStatus', 'e.status', 'e.starts_at', 'e.total_capacity',
        sql<number>`(select sum(capacity) from ticket_types where event_id = e.id)`.as('typeCapacity')])
      .execute())
    const published = rows.filter((row) => row.status === 'published')
    expect(new Set(published.map((row) => row.tenant))).toEqual(new Set(['nairobi-live', 'pwani-events']))
    for (const row of published) {
      expect(row.tenantStatus).toBe('active')
      expect(row.starts_at.getTime()).toBeGreaterThan(Date.now())
      expect(Number(row.typeCapacity)).toBe(row.total_capacity)
    }
    const assignments = await asSystem(db, (trx) => trx.selectFrom('scanner_assignments').selectAll().execute())
    expect(assignments).toHaveLength(1)
  })

  it('shows the demo events on the home page, not the draft', async () => {
    const html = await (await createTestApp(db).app.request('/')).text()
    expect(html).toContain('Nairobi Jazz Night')
    expect(html).toContain('Mombasa Beach Festival')
    expect(html).not.toContain('Benga Revival')
  })
})
