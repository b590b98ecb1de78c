import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import { checkTicketCode, issueTickets, reissueTicketCode } from '../../src/tickets/issuing.ts'
import { base32Decode, base32Encode, CODE_PREFIX } from '../../src/tickets/signed-code.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { createTestApp } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant } from '../support/fixtures.ts'

let db: Database
let ring: KeyRing
const now = new Date()

beforeAll(async () => {
  db = await openTestDatabase()
  ring = await parseKeyRing(newKeyEntry('k1'))
})
afterAll(() => db.destroy())

/** Until payments exist, tests mark a reservation paid by issuing its tickets directly (never a route). */
async function paidReservation(quantity = 2) {
  const tenant = await createTenant(db)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 10 }] })
  const { reservation } = await createReservation(db, {
    eventId: event.id, items: [{ ticketTypeId: ticketTypes[0]!.id, quantity }], userId: null, now,
  })
  const ticketIds = await issueTickets(db, ring, reservation.id, now)
  return { event, type: ticketTypes[0]!, reservation, ticketIds }
}

const codesOf = (ids: string[]) =>
  asSystem(db, async (trx) => (await trx.selectFrom('tickets').select(['id', 'qr_code']).where('id', 'in', ids).orderBy('id').execute())
    .map((row) => row.qr_code!))

describe('issuing tickets', () => {
  it('makes the held tickets active with a signed code each, once, and counts them sold', async () => {
    const { event, type, reservation, ticketIds } = await paidReservation(2)
    expect(ticketIds).toHaveLength(2)
    const again = await issueTickets(db, ring, reservation.id, now)
    expect(again.sort()).toEqual([...ticketIds].sort())
    const rows = await asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('id', 'in', ticketIds).execute())
    for (const row of rows) expect(row).toMatchObject({ status: 'active', qr_version: 1 })
    expect(new Set(rows.map((row) => row.qr_code)).size).toBe(2)
    const sold = await asSystem(db, (trx) => trx.selectFrom('ticket_types').select('sold').where('id', '=', type.id).executeTakeFirstOrThrow())
    expect(sold.sold).toBe(2)
    for (const code of await codesOf(ticketIds)) {
      expect(await checkTicketCode(db, code, { eventId: event.id, now })).toMatchObject({ ok: true, status: 'active' })
    }
  })

  it('shows the tickets and their codes with the paid reservation', async () => {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id)
    const { app } = createTestApp(db)
    const created = await (await app.request(`/api/v1/events/${event.id}/reservations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }] }),
    })).json() as { id: string; token: string }
    await issueTickets(db, ring, created.id, new Date())
    const body = await (await app.request(`/api/v1/reservations/${created.id}`, { headers: { authorization: `Bearer ${created.token}` } }))
      .json() as { status: string; tickets: Array<{ code: string; qrVersion: number; status: string }> }
    expect(body.status).toBe('paid')
    expect(body.tickets).toHaveLength(1)
    expect(body.tickets[0]).toMatchObject({ status: 'active', qrVersion: 1 })
    expect(body.tickets[0]!.code).toMatch(/^T1[A-Z2-7]{167}$/)
  })

  it('keeps the private signing key sealed, one key per tenant', async () => {
    const a = await paidReservation(1)
    const b = await paidReservation(1)
    const keys = await asSystem(db, (trx) => trx.selectFrom('ticket_signing_keys').selectAll()
      .where('tenant_id', 'in', [a.event.tenant_id, b.event.tenant_id]).execute())
    expect(keys).toHaveLength(2)
    for (const key of keys) expect(key.sealed_private_key).toMatch(/^v1\.k1\./)
    expect(keys[0]!.public_key).not.toBe(keys[1]!.public_key)
  })
})

describe('checking codes on the server', () => {
  it('refuses the old version after a reissue, and admits the new one', async () => {
    const { event, ticketIds } = await paidReservation(1)
    const [old] = await codesOf(ticketIds)
    const fresh = await reissueTicketCode(db, ring, ticketIds[0]!, now)
    expect(fresh).not.toBe(old)
    expect(await checkTicketCode(db, old!, { eventId: event.id, now })).toEqual({ ok: false, reason: 'superseded' })
    expect(await checkTicketCode(db, fresh, { eventId: event.id, now })).toMatchObject({ ok: true })
  })

  it('refuses forged, truncated, bit-flipped and other-event codes', async () => {
    const { event, ticketIds } = await paidReservation(1)
    const other = await paidReservation(1)
    const [code] = await codesOf(ticketIds)
    const bytes = base32Decode(code!.slice(2))!
    const flipped = bytes.slice()
    flipped[50]! ^= 4
    const check = (text: string) => checkTicketCode(db, text, { eventId: event.id, now })
    expect(await check(CODE_PREFIX + base32Encode(flipped))).toEqual({ ok: false, reason: 'bad_signature' })
    expect(await check(code!.slice(0, 120))).toEqual({ ok: false, reason: 'malformed' })
    const [otherCode] = await codesOf(other.ticketIds)
    expect(await check(otherCode!)).toEqual({ ok: false, reason: 'wrong_event' })
    // signed by another tenant's key but claiming this event: that tenant's key is not this event's
    const payload = base32Decode(otherCode!.slice(2))!
    payload.set(base32Decode(code!.slice(2))!.slice(19, 35), 19)
    expect((await check(CODE_PREFIX + base32Encode(payload))).ok).toBe(false)
  })
})
