/** A gate to test: an event with sold tickets (real signed codes), its staff signed in, and outsiders. */
import type { Database } from '../../src/db/database.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import { issueTickets } from '../../src/tickets/issuing.ts'
import { base32Decode, base32Encode, CODE_PREFIX } from '../../src/tickets/signed-code.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'

export async function signIn(app: ReturnType<typeof createTestApp>['app'], email: string): Promise<TestClient> {
  const client = new TestClient(app)
  const res = await client.post('/login', { email, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`could not sign in ${email}: ${res.status}`)
  return client
}

/** Sells `quantity` tickets of the event's first type, each with its signed code. */
export async function sellWithCodes(db: Database, ring: KeyRing, eventId: string, typeId: string, quantity: number, userId: string | null = null) {
  const now = new Date()
  const { reservation } = await createReservation(db, { eventId, items: [{ ticketTypeId: typeId, quantity }], userId, now })
  const ids = await issueTickets(db, ring, reservation.id, now)
  const rows = await asSystem(db, (trx) => trx.selectFrom('tickets').select(['id', 'qr_code']).where('id', 'in', ids).orderBy('id').execute())
  return rows.map((row) => ({ id: row.id, code: row.qr_code! }))
}

export async function createGate(db: Database, options: { capacity?: number; now?: () => Date } = {}) {
  const ring = await parseKeyRing(newKeyEntry('k1'))
  const { app } = createTestApp(db, { now: options.now, deps: { secretKeys: ring } })
  const tenant = await createTenant(db)
  const otherTenant = await createTenant(db)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: options.capacity ?? 40 }] })
  const other = await createEvent(db, tenant.id)
  const foreign = await createEvent(db, otherTenant.id)
  const accounts = {
    scanner: await createAccount(db, { tenantId: tenant.id, membership: 'scanner' }),
    secondScanner: await createAccount(db, { tenantId: tenant.id, membership: 'scanner' }),
    scannerOfOther: await createAccount(db, { tenantId: tenant.id, membership: 'scanner' }),
    foreignScanner: await createAccount(db, { tenantId: otherTenant.id, membership: 'scanner' }),
    manager: await createAccount(db, { tenantId: tenant.id, membership: 'manager' }),
    foreignManager: await createAccount(db, { tenantId: otherTenant.id, membership: 'manager' }),
    buyer: await createAccount(db),
  }
  await asSystem(db, (trx) => trx.insertInto('scanner_assignments').values([
    { tenant_id: tenant.id, event_id: event.id, user_id: accounts.scanner.id },
    { tenant_id: tenant.id, event_id: event.id, user_id: accounts.secondScanner.id },
    { tenant_id: tenant.id, event_id: other.event.id, user_id: accounts.scannerOfOther.id },
    { tenant_id: otherTenant.id, event_id: foreign.event.id, user_id: accounts.foreignScanner.id },
  ]).execute())
  const clients = Object.fromEntries(await Promise.all(Object.entries(accounts)
    .map(async ([name, account]) => [name, await signIn(app, account.email!)] as const))) as Record<keyof typeof accounts, TestClient>
  return { app, ring, tenant, otherTenant, event, type: ticketTypes[0]!, other, foreign, accounts, clients }
}

let counter = 0
/** A scan body as the page sends it. */
export function scanBody(code: string, overrides: Record<string, unknown> = {}) {
  counter++
  return { code, scanId: crypto.randomUUID(), scannedAt: new Date().toISOString(), deviceId: `phone-${counter % 3}`, gate: 'North', ...overrides }
}

export async function scansOf(db: Database, eventId: string) {
  return asSystem(db, (trx) => trx.selectFrom('scans').selectAll().where('event_id', '=', eventId).orderBy('scanned_at').orderBy('id').execute())
}

/** The same code with one bit of one byte flipped (a forgery the signature must catch). */
export function flipBit(code: string, byteIndex: number): string {
  const bytes = base32Decode(code.slice(CODE_PREFIX.length))!
  bytes[byteIndex]! ^= 0x01
  return CODE_PREFIX + base32Encode(bytes)
}
