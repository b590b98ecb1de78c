/**
 * Every route × every kind of person → the expected answer. New routes join this table.
 *   ok     the page or action is served (2xx, or a 303 to somewhere other than the sign-in page)
 *   login  a redirect to the sign-in page (or 401 under /api/)
 *   403    signed in, but not allowed
 *   404    not allowed, and not told the thing exists
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'

const PERSONAS = ['anonymous', 'buyer', 'scannerOfX', 'scannerOfOther', 'managerA', 'managerB', 'superAdmin'] as const
type Persona = (typeof PERSONAS)[number]
type Expected = 'ok' | 'login' | 403 | 404

interface Route {
  method: 'GET' | 'POST'
  path: (ids: Ids) => string
  form?: (ids: Ids) => Record<string, string>
  expect: Record<Persona, Expected>
}

interface Ids {
  eventX: string
  otherEvent: string
  tenantA: string
  tenantB: string
  scannerOfX: string
  scannerOfOther: string
  managerBId: string
}

const everyone = (answer: Expected): Record<Persona, Expected> =>
  Object.fromEntries(PERSONAS.map((p) => [p, answer])) as Record<Persona, Expected>
const signedIn = { ...everyone('ok'), anonymous: 'login' } as Record<Persona, Expected>
const staffOnly: Record<Persona, Expected> = {
  anonymous: 'login', buyer: 403, scannerOfX: 'ok', scannerOfOther: 'ok', managerA: 'ok', managerB: 'ok', superAdmin: 403,
}
const managersOnly: Record<Persona, Expected> = { ...staffOnly, scannerOfX: 403, scannerOfOther: 403 }
const adminOnly: Record<Persona, Expected> = { ...everyone(403), anonymous: 'login', superAdmin: 'ok' }

const ROUTES: Route[] = [
  { method: 'GET', path: () => '/', expect: everyone('ok') },
  { method: 'GET', path: () => '/healthz', expect: everyone('ok') },
  { method: 'GET', path: () => '/events/matrix-x', expect: everyone('ok') },
  { method: 'GET', path: () => '/login', expect: { ...everyone('ok') } },
  { method: 'GET', path: () => '/register', expect: everyone('ok') },
  { method: 'GET', path: () => '/password/forgot', expect: everyone('ok') },
  { method: 'GET', path: () => '/password/reset?token=x', expect: everyone('ok') },
  { method: 'GET', path: () => '/dev/outbox', expect: everyone('ok') },
  { method: 'GET', path: () => '/start', expect: signedIn },
  { method: 'GET', path: () => '/account', expect: signedIn },
  { method: 'GET', path: () => '/account/sessions', expect: signedIn },
  { method: 'GET', path: () => '/account/confirm-password', expect: signedIn },
  { method: 'GET', path: () => '/manage/apply', expect: signedIn },
  { method: 'GET', path: () => '/manage', expect: managersOnly },
  { method: 'GET', path: () => '/manage/staff', expect: managersOnly },
  { method: 'POST', path: () => '/manage/staff/invite', form: () => ({ email: 'new@example.test', role: 'scanner' }), expect: managersOnly },
  {
    method: 'POST', path: (ids) => `/manage/staff/${ids.scannerOfX}/events`, form: (ids) => ({ eventIds: ids.eventX }),
    // managers of B cannot touch A's staff: not on their staff
    expect: { ...managersOnly, managerB: 404, managerA: 'ok' },
  },
  { method: 'GET', path: () => '/scan', expect: staffOnly },
  {
    method: 'GET', path: (ids) => `/scan/events/${ids.eventX}`,
    expect: { ...staffOnly, scannerOfOther: 404, managerB: 404 },
  },
  {
    method: 'GET', path: (ids) => `/scan/events/${ids.otherEvent}`,
    expect: { ...staffOnly, scannerOfX: 404, managerB: 404 },
  },
  { method: 'GET', path: () => '/events?q=matrix', expect: everyone('ok') },
  { method: 'GET', path: () => '/api/v1/events', expect: everyone('ok') },
  { method: 'GET', path: (ids) => `/api/v1/events/${ids.eventX}`, expect: everyone('ok') },
  { method: 'GET', path: () => '/api/v1/openapi.json', expect: everyone('ok') },
  { method: 'GET', path: () => '/manage/events', expect: managersOnly },
  { method: 'GET', path: () => '/manage/events/new', expect: managersOnly },
  { method: 'GET', path: (ids) => `/manage/events/${ids.eventX}`, expect: { ...managersOnly, managerB: 404 } },
  {
    method: 'POST', path: (ids) => `/manage/events/${ids.eventX}/duplicate`,
    expect: { ...managersOnly, managerB: 404 },
  },
  { method: 'GET', path: () => '/manage/mpesa', expect: managersOnly },
  { method: 'GET', path: () => '/manage/payments', expect: managersOnly },
  { method: 'GET', path: () => '/manage/payments.csv', expect: managersOnly },
  { method: 'GET', path: (ids) => `/manage/payments?event=${ids.eventX}`, expect: { ...managersOnly, managerB: 404 } },
  { method: 'GET', path: (ids) => `/manage/payments.csv?event=${ids.eventX}`, expect: { ...managersOnly, managerB: 404 } },
  { method: 'GET', path: () => '/reservations/00000000-0000-4000-8000-000000000000', expect: everyone(404) },
  { method: 'POST', path: () => '/events/no-such-event/reserve', form: () => ({}), expect: everyone(404) },
  { method: 'GET', path: () => '/admin', expect: adminOnly },
  { method: 'GET', path: () => '/admin/audit', expect: adminOnly },
  { method: 'GET', path: (ids) => `/admin/audit?tenant=${ids.tenantB}`, expect: adminOnly },
  { method: 'GET', path: () => '/manage/audit', expect: managersOnly },
  // a manager's audit log has no tenant to choose: asking for another's shows their own
  { method: 'GET', path: (ids) => `/manage/audit?tenant=${ids.tenantB}`, expect: managersOnly },
  { method: 'POST', path: (ids) => `/admin/tenants/${ids.tenantB}/approve`, expect: adminOnly },
  { method: 'POST', path: (ids) => `/admin/tenants/${ids.tenantB}/commission`, form: () => ({ percent: '7.5' }), expect: adminOnly },
]

let db: Database
let ids: Ids
const clients = {} as Record<Persona, TestClient>

beforeAll(async () => {
  db = await openTestDatabase()
  const { app } = createTestApp(db)
  const tenantA = await createTenant(db)
  const tenantB = await createTenant(db)
  const x = await createEvent(db, tenantA.id)
  await asSystem(db, (trx) => trx.updateTable('events').set({ slug: `matrix-x-${x.event.id.slice(0, 8)}` }).where('id', '=', x.event.id).execute())
  const other = await createEvent(db, tenantA.id)
  const accounts = {
    buyer: await createAccount(db),
    scannerOfX: await createAccount(db, { tenantId: tenantA.id, membership: 'scanner' }),
    scannerOfOther: await createAccount(db, { tenantId: tenantA.id, membership: 'scanner' }),
    managerA: await createAccount(db, { tenantId: tenantA.id, membership: 'manager' }),
    managerB: await createAccount(db, { tenantId: tenantB.id, membership: 'manager' }),
    superAdmin: await createAccount(db, { role: 'super_admin' }),
  }
  await asSystem(db, (trx) => trx.insertInto('scanner_assignments').values([
    { tenant_id: tenantA.id, event_id: x.event.id, user_id: accounts.scannerOfX.id },
    { tenant_id: tenantA.id, event_id: other.event.id, user_id: accounts.scannerOfOther.id },
  ]).execute())
  ids = {
    eventX: x.event.id, otherEvent: other.event.id, tenantA: tenantA.id, tenantB: tenantB.id,
    scannerOfX: accounts.scannerOfX.id, scannerOfOther: accounts.scannerOfOther.id, managerBId: accounts.managerB.id,
  }
  clients.anonymous = new TestClient(app)
  for (const [persona, account] of Object.entries(accounts)) {
    const client = new TestClient(app)
    const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
    if (res.status !== 303) throw new Error(`${persona} could not sign in: ${res.status}`)
    clients[persona as Persona] = client
  }
  // the public event page path is known only now
  ROUTES[2]!.path = () => `/events/matrix-x-${x.event.id.slice(0, 8)}`
}, 60_000)
afterAll(() => db.destroy())

function outcome(res: Response): Expected | number {
  const location = res.headers.get('location') ?? ''
  if (res.status === 401 || (res.status === 303 && location.startsWith('/login'))) return 'login'
  if (res.status >= 200 && res.status < 400) return 'ok'
  return res.status
}

describe.each(ROUTES.map((route) => [`${route.method} ${route.path({} as Ids)}`, route] as const))('%s', (_name, route) => {
  it.each(PERSONAS)('as %s', async (persona) => {
    const client = clients[persona]
    const path = route.path(ids)
    const res = route.method === 'GET' ? await client.get(path) : await client.post(path, route.form?.(ids) ?? {})
    expect(outcome(res), `${route.method} ${path} as ${persona}`).toBe(route.expect[persona])
  })
})
