/**
 * Money goes back once: refund requests racing each other, and a cancellation racing a partial refund,
 * never reverse more than was paid nor refund one ticket twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { listRefunds } from '../../src/payments/refund-queries.ts'
import { sweepRefunds } from '../../src/payments/refunds.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent } from '../support/fixtures.ts'
import { createPaymentKit, type PaymentKit } from '../support/payments.ts'
import { eventState, paidOrderOfNewOrganiser, purchase, signIn } from '../support/purchases.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const PRICE = 100_000

async function paidOrder(quantity: number) {
  const sold = await paidOrderOfNewOrganiser(kit, db, quantity, PRICE)
  return { ...sold, managers: await Promise.all([0, 1, 2].map(() => signIn(kit, sold.account))) }
}

async function sendRefunds() {
  for (let round = 0; round < 3; round++) {
    await kit.runJobs()
    await sweepRefunds(db, kit.services, kit.clock.now(), 100)
    await kit.sim.settle()
  }
}

async function expectConserved(eventId: string, paid: number) {
  const after = await eventState(db, eventId)
  const live = after.refunds.filter((r) => r.status !== 'manual')
  expect(live.reduce((sum, r) => sum + r.amount_minor, 0)).toBeLessThanOrEqual(paid)
  const reversed = kit.sim.state.reversals.filter((r) => r.resultCode === 0 && r.receipt === after.payments[0]!.mpesa_receipt_number)
  expect(reversed.reduce((sum, r) => sum + r.amount * 100, 0)).toBeLessThanOrEqual(paid)
  expect(after.payments[0]!.refunded_minor).toBeLessThanOrEqual(paid)
  return after
}

describe(`refunds racing ${concurrencyNote}`, () => {
  it('the same tickets refunded by two requests at once: one refund, once', async () => {
    const { event, order, managers, tickets } = await paidOrder(2)
    const form = { tickets: [tickets[0]!.id], reason: 'Cannot come' }
    const answers = await Promise.all(managers.map((m) => m.post(`/manage/payments/${order.paymentId}/refund`, form)))
    expect(answers.map((r) => r.status).sort()).toEqual([303, 409, 409])
    await sendRefunds()
    const after = await expectConserved(event.id, 2 * PRICE)
    expect(after.refunds.map((r) => [r.status, r.amount_minor])).toEqual([['completed', PRICE]])
  })

  it('a cancellation racing partial refunds: every shilling back once, never more', async () => {
    const { event, order, managers, tickets } = await paidOrder(3)
    const answers = await Promise.all([
      managers[0]!.post(`/manage/payments/${order.paymentId}/refund`, { tickets: [tickets[0]!.id], reason: 'One cannot come' }),
      managers[1]!.post(`/manage/events/${event.id}/status`, { status: 'cancelled' }),
      managers[2]!.post(`/manage/payments/${order.paymentId}/refund`, { tickets: [tickets[1]!.id, tickets[2]!.id], reason: 'Two cannot come' }),
    ])
    for (const res of answers) expect(res.status).toBeLessThan(500)
    await sendRefunds()
    const after = await expectConserved(event.id, 3 * PRICE)
    expect(after.payments[0]!.refunded_minor).toBe(3 * PRICE)
    expect(after.tickets.filter((t) => t.transaction_id === order.paymentId).every((t) => t.status === 'cancelled')).toBe(true)
  })
})

describe('one order’s refunds', () => {
  it('are read for that payment alone, not for the whole organiser', async () => {
    const first = await paidOrder(2)
    const form = (id: string) => ({ tickets: [id], reason: 'Cannot come' })
    expect((await first.managers[0]!.post(`/manage/payments/${first.order.paymentId}/refund`, form(first.tickets[0]!.id))).status).toBe(303)
    const state = await eventState(db, first.event.id)
    const tenantId = state.event.tenant_id
    // a second payment of the same organiser, refunded too
    const other = await createEvent(db, tenantId, { ticketTypes: [{ name: 'Regular', price_minor: PRICE, capacity: 10 }] })
    const order = await purchase(kit, db, other.event.id, other.ticketTypes[0]!.id, { quantity: 1, pay: 'now' })
    const ticket = (await eventState(db, other.event.id)).tickets.find((t) => t.transaction_id === order.paymentId)!
    expect((await first.managers[1]!.post(`/manage/payments/${order.paymentId}/refund`, form(ticket.id))).status).toBe(303)
    const rows = await asSystem(db, (trx) => listRefunds(trx, { tenantId, transactionId: first.order.paymentId }))
    expect(rows.map((r) => r.transaction_id)).toEqual([first.order.paymentId])
    const page = await (await first.managers[2]!.get(`/manage/payments/${first.order.paymentId}`)).text()
    expect(page).toContain('Cannot come')
  })
})
