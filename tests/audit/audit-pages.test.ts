/**
 * The audit log pages: /admin/audit (the super admin: every tenant and the platform) and /manage/audit
 * (a manager: their tenant only). Filters, 50 a page newest first, who may be named, and bad filters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditAction } from '../../src/audit/audit-log.ts'
import type { Database } from '../../src/db/database.ts'
import type { User } from '../../src/db/schema.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createTenant, DAY, TEST_PASSWORD } from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let tenantA: { id: string; name: string }
let tenantB: { id: string; name: string }
let people: Record<'admin' | 'managerA' | 'scannerA' | 'managerB' | 'buyer', User>
let clients: Record<'admin' | 'managerA' | 'managerB', TestClient>

// entries made by the test at known times (Nairobi is UTC+3): days 2026-11-01 … 2026-11-03
const T0 = new Date('2026-11-01T06:00:00Z')

async function signIn(account: User) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`)
  return client
}

function entry(action: AuditAction, tenantId: string | null, actor: User | null, at: Date, metadata: Record<string, unknown> = {}) {
  return { action, tenant_id: tenantId, actor_user_id: actor?.id ?? null, created_at: at, metadata, target_type: null, target_id: null }
}

/** The rows of an audit page, each as "action|actor cell text". */
function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr data-entry="\d+" data-action="([a-z_]+)">([\s\S]*?)<\/tr>/g)].map(([, action, cells]) => {
    const actor = /data-label="Done by">([\s\S]*?)<\/td>/.exec(cells!)![1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()
    return `${action}|${actor}`
  })
}

async function page(client: TestClient, path: string, headers: Record<string, string> = {}) {
  const res = await client.get(path, headers)
  return { status: res.status, html: await res.text() }
}

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
  tenantA = await createTenant(db, { name: 'Audit Alpha' })
  tenantB = await createTenant(db, { name: 'Audit Beta' })
  people = {
    admin: await createAccount(db, { role: 'super_admin' }),
    managerA: await createAccount(db, { tenantId: tenantA.id, membership: 'manager' }),
    scannerA: await createAccount(db, { tenantId: tenantA.id, membership: 'scanner' }),
    managerB: await createAccount(db, { tenantId: tenantB.id, membership: 'manager' }),
    buyer: await createAccount(db),
  }
  await asSystem(db, async (trx) => {
    await trx.updateTable('users').set({ name: 'Wanjiru Alpha' }).where('id', '=', people.managerA.id).execute()
    await trx.insertInto('audit_log').values([
      entry('tenant_approved', tenantA.id, people.admin, T0),
      entry('staff_invited', tenantA.id, people.managerA, new Date(T0.getTime() + 3600_000), { role: 'scanner' }),
      entry('staff_joined', tenantA.id, people.scannerA, new Date(T0.getTime() + DAY), { role: 'scanner' }),
      // a buyer's entry in A's log (not staff: never named to A's managers)
      entry('login', tenantA.id, people.buyer, new Date(T0.getTime() + DAY + 60_000)),
      entry('commission_changed', tenantB.id, people.admin, new Date(T0.getTime() + 2 * DAY), { basisPoints: 650 }),
      entry('staff_invited', tenantB.id, people.managerB, new Date(T0.getTime() + 2 * DAY + 60_000), { role: 'manager' }),
      entry('login_failed', null, null, new Date(T0.getTime() + 2 * DAY + 120_000), { knownAccount: false }),
    ]).execute()
  })
  clients = { admin: await signIn(people.admin), managerA: await signIn(people.managerA), managerB: await signIn(people.managerB) }
}, 60_000)
afterAll(() => db.destroy())

describe('the super admin’s audit log', () => {
  it('shows every tenant’s entries and the platform’s, newest first, with the actor’s email and the tenant', async () => {
    const { status, html } = await page(clients.admin, '/admin/audit?from=2026-11-01&to=2026-11-03')
    expect(status).toBe(200)
    expect(rowsOf(html)).toEqual([
      'login_failed|The system',
      `staff_invited|${people.managerB.email}`,
      `commission_changed|${people.admin.email}`,
      `login|${people.buyer.email}`,
      `staff_joined|${people.scannerA.email}`,
      `staff_invited|${people.managerA.email}`,
      `tenant_approved|${people.admin.email}`,
    ])
    expect(html).toContain('Audit Beta')
    expect(html).toContain('basisPoints: 650')
    expect(html).toContain('Commission changed')
  })

  it('filters by tenant, the platform alone, actor, action and days', async () => {
    const within = 'from=2026-11-01&to=2026-11-03'
    const actions = async (filter: string) => rowsOf((await page(clients.admin, `/admin/audit?${within}&${filter}`)).html).map((row) => row.split('|')[0])
    expect(await actions(`tenant=${tenantB.id}`)).toEqual(['staff_invited', 'commission_changed'])
    expect(await actions('tenant=platform')).toEqual(['login_failed'])
    expect(await actions(`actor=${encodeURIComponent(people.admin.email!.toUpperCase())}`)).toEqual(['commission_changed', 'tenant_approved'])
    expect(await actions('action=staff_invited')).toEqual(['staff_invited', 'staff_invited'])
    // Nairobi days: 2026-11-02 runs from 2026-11-01T21:00Z to 2026-11-02T21:00Z
    const day = rowsOf((await page(clients.admin, '/admin/audit?tenant=&from=2026-11-02&to=2026-11-02')).html)
    expect(day.map((row) => row.split('|')[0])).toEqual(['login', 'staff_joined'])
    // the form shows the filter it applied
    const { html } = await page(clients.admin, `/admin/audit?tenant=${tenantB.id}&action=staff_invited&from=2026-11-02`)
    expect(html).toMatch(new RegExp(`<option value="${tenantB.id}" selected="">Audit Beta</option>`))
    expect(html).toContain('<option value="staff_invited" selected="">Staff invited</option>')
    expect(html).toContain('name="from" type="date" value="2026-11-02"')
  })

  it('pages 50 entries at a time, newest first, keeping the filter in the links', async () => {
    const tenant = await createTenant(db, { name: 'Audit Many' })
    const start = new Date('2026-10-01T09:00:00Z')
    await asSystem(db, (trx) => trx.insertInto('audit_log').values(Array.from({ length: 120 }, (_, i) =>
      entry('staff_invited', tenant.id, people.admin, new Date(start.getTime() + i * 60_000), { n: i }))).execute())
    const numbers = (html: string) => [...html.matchAll(/n: (\d+)</g)].map((match) => Number(match[1]))
    const first = await page(clients.admin, `/admin/audit?tenant=${tenant.id}`)
    expect(numbers(first.html)).toEqual(Array.from({ length: 50 }, (_, i) => 119 - i))
    expect(first.html).toContain('Page 1 of 3')
    expect(first.html).toContain(`href="/admin/audit?tenant=${tenant.id}&amp;page=2" rel="next"`)
    const third = await page(clients.admin, `/admin/audit?tenant=${tenant.id}&page=3`)
    expect(numbers(third.html)).toEqual(Array.from({ length: 20 }, (_, i) => 19 - i))
    expect(third.html).not.toContain('rel="next"')
    expect(third.html).toContain('120 entries')
  })
})

describe('a manager’s audit log', () => {
  it('shows their tenant’s entries only, naming their own staff and nobody else', async () => {
    const { status, html } = await page(clients.managerA, '/manage/audit')
    expect(status).toBe(200)
    expect(rowsOf(html)).toEqual([
      'login|Someone outside your staff',
      `staff_joined|Test Person ${people.scannerA.email}`,
      `staff_invited|Wanjiru Alpha ${people.managerA.email}`,
      'tenant_approved|Someone outside your staff',
    ])
    // neither the platform admin's nor the buyer's email or id reaches the page, nor anything of B
    for (const secret of [people.admin.email!, people.admin.id, people.buyer.email!, people.buyer.id, 'Audit Beta', people.managerB.email!]) {
      expect(html).not.toContain(secret)
    }
    expect(html).not.toContain('name="tenant"')
  })

  it('never shows another tenant’s entries, whatever the query says', async () => {
    for (const trick of [`tenant=${tenantB.id}`, 'tenant=platform', `tenant=${tenantB.id}&tenant=${tenantA.id}`,
      `actor=${encodeURIComponent(people.managerB.email!)}`, `actor=${encodeURIComponent(people.admin.email!)}`, 'tenant=%00']) {
      const { status, html } = await page(clients.managerA, `/manage/audit?${trick}`)
      expect(status, trick).toBe(200)
      const actions = rowsOf(html).map((row) => row.split('|')[0])
      expect(actions, trick).not.toContain('commission_changed')
      expect(html, trick).not.toContain('Audit Beta')
      // an actor filter echoes what was typed into its field, but names nobody outside A's staff in the rows
      if (trick.startsWith('actor=')) expect(actions, trick).toEqual([])
      else expect(actions, trick).toHaveLength(4)
    }
    const b = await page(clients.managerB, '/manage/audit')
    expect(rowsOf(b.html)).toEqual([`staff_invited|Test Person ${people.managerB.email}`, 'commission_changed|Someone outside your staff'])
  })

  it('filters by their staff’s email, action and days', async () => {
    const actions = async (filter: string) => rowsOf((await page(clients.managerA, `/manage/audit?${filter}`)).html).map((row) => row.split('|')[0])
    expect(await actions(`actor=${encodeURIComponent(people.scannerA.email!)}`)).toEqual(['staff_joined'])
    expect(await actions('action=tenant_approved')).toEqual(['tenant_approved'])
    expect(await actions('from=2026-11-01&to=2026-11-01')).toEqual(['staff_invited', 'tenant_approved'])
  })
})

describe('bad filters', () => {
  const cases: Array<[string, string]> = [
    ['action=drop_tables', 'Choose an action from the list.'],
    ['from=2026-13-01', 'Enter days as YYYY-MM-DD, for example 2026-12-01.'],
    ['to=yesterday', 'Enter days as YYYY-MM-DD, for example 2026-12-01.'],
    ['from=2026-11-03&to=2026-11-01', 'The “from” day is after the “to” day.'],
    ['page=0', 'There is no such page of the audit log.'],
    ['page=-1', 'There is no such page of the audit log.'],
    ['page=99999999', 'There is no such page of the audit log.'],
    [`actor=${'a'.repeat(255)}`, 'Enter an email address of at most 254 characters.'],
  ]
  it.each(cases)('answer 400 with the reason, never a 500: %s', async (filter, message) => {
    for (const [client, path] of [[clients.admin, '/admin/audit'], [clients.managerA, '/manage/audit']] as const) {
      const { status, html } = await page(client, `${path}?${filter}`)
      expect(status, `${path}?${filter}`).toBe(400)
      expect(html).toContain(message)
    }
  })

  it('refuses a tenant that is not an id on the super admin’s page, and explains in Swahili', async () => {
    const bad = await page(clients.admin, '/admin/audit?tenant=alpha')
    expect([bad.status, bad.html.includes('Choose an organiser from the list.')]).toEqual([400, true])
    const sw = await page(clients.admin, '/admin/audit?action=nope', { 'accept-language': 'sw' })
    expect([sw.status, sw.html.includes('Chagua kitendo kutoka kwenye orodha.')]).toEqual([400, true])
  })
})
