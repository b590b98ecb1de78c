/**
 * The organiser's refund of an order, or some of its tickets, from the payments page: a partial
 * Reversal of their price, those tickets cancelled and their QR refused, the buyer told; a second
 * refund of what is already refunded refused; bad input refused with nothing changed; another
 * tenant's manager refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { sweepRefunds } from '../../src/payments/refunds.ts'
import { checkTicketCode } from '../../src/tickets/issuing.ts'
import { openTestDatabase } from '../support/database.ts'
import { createPaymentKit, type PaymentKit } from '../support/payments.ts'
import { eventState, paidOrderOfNewOrganiser, signIn } from '../support/purchases.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const PRICE = 100_000

async function paidOrder(quantity = 3) {
  const sold = await paidOrderOfNewOrganiser(kit, db, quantity, PRICE)
  return { ...sold, manager: Object.assign(await signIn(kit, sold.account), { account: sold.account }) }
}

async function sendRefunds() {
  await kit.runJobs()
  await sweepRefunds(db, kit.services, kit.clock.now(), 100)
  await kit.sim.settle()
}

describe('refunding some tickets of an order', () => {
  it('reverses their price only, cancels them, refuses their QR and keeps the rest valid', async () => {
    const { event, order, manager, tickets } = await paidOrder(3)
    const page = await manager.get(`/manage/payments/${order.paymentId}`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Refund the chosen tickets')

    const chosen = [tickets[0]!.id, tickets[1]!.id]
    const res = await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: chosen, reason: 'Two friends cannot come' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/manage/payments/${order.paymentId}?refunded=${2 * PRICE}`)
    expect(await (await manager.get(res.headers.get('location')!)).text()).toContain('Refund started: KES 2,000 goes back to the buyer’s M-Pesa.')

    const after = await eventState(db, event.id)
    const byId = new Map(after.tickets.map((t) => [t.id, t]))
    expect(chosen.map((id) => byId.get(id)!.status)).toEqual(['cancelled', 'cancelled'])
    expect(byId.get(tickets[2]!.id)!.status).toBe('active')
    for (const id of chosen) {
      expect(await checkTicketCode(db, byId.get(id)!.qr_code!, { eventId: event.id, now: kit.clock.now() })).toEqual({ ok: false, reason: 'cancelled' })
    }
    expect(await checkTicketCode(db, byId.get(tickets[2]!.id)!.qr_code!, { eventId: event.id, now: kit.clock.now() })).toMatchObject({ ok: true })
    expect(after.refunds).toMatchObject([{ amount_minor: 2 * PRICE, reason: 'organiser', note: 'Two friends cannot come', status: 'due' }])
    expect(after.notices.filter((n) => n.type === 'refund_issued')).toHaveLength(1)

    await sendRefunds()
    const receipt = after.payments[0]!.mpesa_receipt_number
    expect(kit.sim.state.reversals.filter((r) => r.receipt === receipt).map((r) => [r.amount, r.resultCode])).toEqual([[2000, 0]])
    const done = await eventState(db, event.id)
    // KES 2,000 of 3,000 back: commission (5% default) only on the KES 1,000 kept
    expect(done.payments[0]).toMatchObject({ status: 'partially_refunded', refunded_minor: 2 * PRICE, commission_earned_minor: 5_000, net_minor: 95_000 })
    expect(done.notices.filter((n) => n.type === 'refund_completed')).toHaveLength(1)

    // then the last ticket: the payment is refunded in full, never more than was paid
    expect((await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: tickets[2]!.id, reason: 'Now the third too' })).status).toBe(303)
    await sendRefunds()
    const last = await eventState(db, event.id)
    expect(last.payments[0]).toMatchObject({ status: 'refunded', refunded_minor: 3 * PRICE, commission_earned_minor: 0, net_minor: 0 })
    expect(kit.sim.state.reversals.filter((r) => r.receipt === receipt).map((r) => r.amount)).toEqual([2000, 1000])

    // the CSV lists both refunds under the payment
    const csv = await (await manager.get(`/manage/payments.csv?event=${event.id}`)).text()
    expect(csv).toContain(',refund,')
    expect(csv.match(/,refund,/g)).toHaveLength(2)
    expect(csv).toContain('-2000.00')
  })

  it('refuses a refund of tickets already refunded, and of a whole order already refunded', async () => {
    const { event, order, manager, tickets } = await paidOrder(2)
    const all = tickets.map((t) => t.id)
    expect((await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: all, reason: 'Cancelled order' })).status).toBe(303)
    const again = await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: all, reason: 'Cancelled order' })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('This payment has nothing left to refund.')
    await sendRefunds()
    const twice = await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: all[0]!, reason: 'Once more' })
    expect(twice.status).toBe(409)
    const after = await eventState(db, event.id)
    expect(after.refunds).toHaveLength(1)
    expect(after.payments[0]).toMatchObject({ status: 'refunded', refunded_minor: 2 * PRICE })
  })

  it('never refunds twice what is owed by hand: a cancellation after a refused partial refund sends only the rest', async () => {
    const { event, order, manager, tickets } = await paidOrder(3)
    const receipt = (await eventState(db, event.id)).payments[0]!.mpesa_receipt_number!
    kit.sim.state.refusedReversals.add(receipt)
    try {
      expect((await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: tickets[0]!.id, reason: 'One cannot come' })).status).toBe(303)
      for (let round = 0; round < 6; round++) {
        await sendRefunds()
        kit.clock.advance(10 * 60_000)
      }
    } finally {
      kit.sim.state.refusedReversals.delete(receipt)
    }
    expect((await eventState(db, event.id)).refunds.map((r) => r.status)).toEqual(['manual'])
    const again = await signIn(kit, manager.account)
    expect((await again.post(`/manage/events/${event.id}/status`, { status: 'cancelled' })).status).toBe(303)
    await sendRefunds()
    const after = await eventState(db, event.id)
    expect(after.refunds.map((r) => [r.status, r.amount_minor, r.reason])).toEqual([['manual', PRICE, 'organiser'], ['completed', 2 * PRICE, 'event_cancelled']])
    expect(kit.sim.state.reversals.filter((r) => r.receipt === receipt && r.resultCode === 0).map((r) => r.amount)).toEqual([2000])
    expect(after.payments[0]).toMatchObject({ status: 'partially_refunded', refunded_minor: 2 * PRICE })
  })

  it('refuses bad input with a clear message and changes nothing', async () => {
    const { event, order, manager, tickets } = await paidOrder(1)
    const other = await paidOrder(1)
    const cases: Array<[Record<string, string | string[]>, number, string]> = [
      [{ reason: 'No tickets chosen' }, 422, 'Choose the tickets to refund.'],
      [{ tickets: 'not-a-uuid', reason: 'Bad id' }, 422, 'Choose the tickets to refund.'],
      [{ tickets: tickets[0]!.id, reason: 'x' }, 422, 'Say why you are refunding'],
      [{ tickets: tickets[0]!.id, reason: 'y'.repeat(301) }, 422, 'Say why you are refunding'],
      // a ticket of another order, even of this organiser's
      [{ tickets: other.tickets[0]!.id, reason: 'Not this order' }, 422, 'Choose the tickets to refund.'],
    ]
    for (const [form, status, message] of cases) {
      const res = await manager.post(`/manage/payments/${order.paymentId}/refund`, form)
      expect(res.status, JSON.stringify(form)).toBe(status)
      expect(await res.text()).toContain(message)
    }
    expect((await manager.post('/manage/payments/not-a-uuid/refund', { tickets: tickets[0]!.id, reason: 'Bad' })).status).toBe(404)
    const after = await eventState(db, event.id)
    expect(after.refunds).toEqual([])
    expect(after.tickets.filter((t) => t.status === 'active')).toHaveLength(1)
  })

  it('refuses another tenant’s manager: not found, nothing refunded', async () => {
    const { event, order, tickets } = await paidOrder(1)
    const intruder = await paidOrder(1)
    expect((await intruder.manager.get(`/manage/payments/${order.paymentId}`)).status).toBe(404)
    const res = await intruder.manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: tickets[0]!.id, reason: 'Not mine' })
    expect(res.status).toBe(404)
    const after = await eventState(db, event.id)
    expect(after.refunds).toEqual([])
    expect(after.tickets.filter((t) => t.status === 'active')).toHaveLength(1)
  })
})
