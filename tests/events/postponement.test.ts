/**
 * Postponing a published event with sales: the organiser is asked to confirm and to set a refund
 * deadline, holders are told in the same transaction, and until the deadline a holder may have their
 * money back from their tickets page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { toNairobiLocal } from '../../src/lib/nairobi-time.ts'
import { sweepRefunds } from '../../src/payments/refunds.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, DAY } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'
import { eventState, purchase, signIn } from '../support/purchases.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

/** The event form as the edit page fills it, with a new start. */
function formOf(event: { title: string; starts_at: Date }, startsAt: Date, extra: Record<string, string> = {}) {
  return {
    title: event.title, description: '', startsAt: toNairobiLocal(startsAt), endsAt: '', venueName: 'Test Venue', venueAddress: '',
    venueCity: 'Nairobi', latitude: '', longitude: '', totalCapacity: '10', holdMinutes: '10', terms: '', allowTransfers: 'on',
    maxTransfers: '2', transferFee: '0', resalePriceCapPct: '110', ...extra,
  }
}

async function soldEvent() {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 10 }] })
  const buyerAccount = await createAccount(db)
  const order = await purchase(kit, db, event.id, ticketTypes[0]!.id, { quantity: 2, pay: 'now', userId: buyerAccount.id })
  const manager = await signIn(kit, await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
  return { event, order, manager, buyerAccount }
}

describe('postponing an event with sales', () => {
  it('asks first, refuses a bad deadline, then moves it, tells holders, and refunds a holder who asks before the deadline', async () => {
    const { event, manager, buyerAccount } = await soldEvent()
    const newStart = new Date(event.starts_at.getTime() + 14 * DAY)
    const asked = await manager.post(`/manage/events/${event.id}`, formOf(event, newStart))
    expect(asked.status).toBe(409)
    const page = await asked.text()
    expect(page).toContain('Move a published event with sales?')
    expect(page).toContain('2 tickets are sold.')
    expect((await eventState(db, event.id)).event.starts_at).toEqual(event.starts_at)

    for (const deadline of ['', toNairobiLocal(new Date(kit.clock.now().getTime() - DAY)), toNairobiLocal(new Date(newStart.getTime() + DAY))]) {
      const bad = await manager.post(`/manage/events/${event.id}`, formOf(event, newStart, { postpone: 'confirm', refundDeadline: deadline }))
      expect(bad.status, deadline).toBe(422)
      expect(await bad.text()).toContain('Set a refund deadline after now and before the new start.')
    }
    const unchanged = await eventState(db, event.id)
    expect(unchanged.event.starts_at).toEqual(event.starts_at)
    expect(unchanged.notices.filter((n) => n.type === 'event_postponed')).toEqual([])

    const deadline = new Date(kit.clock.now().getTime() + 5 * DAY)
    const done = await manager.post(`/manage/events/${event.id}`, formOf(event, newStart, { postpone: 'confirm', refundDeadline: toNairobiLocal(deadline) }))
    expect(done.status).toBe(303)
    const moved = await eventState(db, event.id)
    expect(moved.event.starts_at.getTime()).toBe(Math.floor(newStart.getTime() / 60_000) * 60_000)
    expect(moved.event.postponed_from).toEqual(event.starts_at)
    expect(moved.event.refund_deadline!.getTime()).toBe(Math.floor(deadline.getTime() / 60_000) * 60_000)
    const notices = moved.notices.filter((n) => n.type === 'event_postponed')
    expect(notices).toHaveLength(1)
    expect((notices[0]!.content as { body: string }).body).toContain('/tickets')
    expect(moved.tickets.filter((t) => t.status === 'active')).toHaveLength(2)

    const buyer = await signIn(kit, buyerAccount)
    const tickets = await (await buyer.get('/tickets')).text()
    expect(tickets).toContain('Ask for a refund')
    const refunded = await buyer.post(`/tickets/events/${event.id}/refund`)
    expect(refunded.status).toBe(303)
    const after = await eventState(db, event.id)
    expect(after.tickets.filter((t) => t.status === 'active')).toEqual([])
    expect(after.refunds).toMatchObject([{ reason: 'event_postponed', amount_minor: 200_000 }])
    expect((await buyer.post(`/tickets/events/${event.id}/refund`)).status).toBe(409)
    await kit.runJobs()
    await sweepRefunds(db, kit.services, kit.clock.now(), 100)
    await kit.sim.settle()
    expect((await eventState(db, event.id)).payments[0]).toMatchObject({ status: 'refunded', refunded_minor: 200_000 })
  })

  it('refuses a holder’s refund after the deadline, and another buyer’s request refunds nothing of theirs', async () => {
    const { event, buyerAccount } = await soldEvent()
    await asSystem(db, (trx) => trx.updateTable('events').set({ refund_deadline: new Date(kit.clock.now().getTime() - 60_000) }).where('id', '=', event.id).execute())
    const buyer = await signIn(kit, buyerAccount)
    const late = await buyer.post(`/tickets/events/${event.id}/refund`)
    expect(late.status).toBe(409)
    expect(await late.text()).toContain('Refunds for this event are closed.')
    await asSystem(db, (trx) => trx.updateTable('events').set({ refund_deadline: new Date(kit.clock.now().getTime() + DAY) }).where('id', '=', event.id).execute())
    const stranger = await signIn(kit, await createAccount(db))
    expect((await stranger.post(`/tickets/events/${event.id}/refund`)).status).toBe(409)
    expect((await stranger.post('/tickets/events/not-a-uuid/refund')).status).toBe(404)
    const after = await eventState(db, event.id)
    expect(after.refunds).toEqual([])
    expect(after.tickets.filter((t) => t.status === 'active')).toHaveLength(2)
  })

  it('saves a new date without asking when nothing is sold', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    const manager = await signIn(kit, await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    const res = await manager.post(`/manage/events/${event.id}`, { ...formOf(event, new Date(event.starts_at.getTime() + DAY)), totalCapacity: '100' })
    expect(res.status).toBe(303)
    expect((await eventState(db, event.id)).event.postponed_from).toBeNull()
  })
})
