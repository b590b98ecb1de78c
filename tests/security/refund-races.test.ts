/**
 * Money goes back once: refund requests racing each other, and a cancellation racing a partial refund,
 * never reverse more than was paid nor refund one ticket twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { sweepRefunds } from '../../src/payments/refunds.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { createAccount, createEvent, createTenant } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'
import { eventState, purchase, signIn } from '../support/purchases.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const PRICE = 100_000

async function paidOrder(quantity: number) {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: PRICE, capacity: 10 }] })
  const order = await purchase(kit, db, event.id, ticketTypes[0]!.id, { quantity, pay: 'now' })
  const account = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
  const managers = await Promise.all([0, 1, 2].map(() => signIn(kit, account)))
  const state = await eventState(db, event.id)
  return { event, order, managers, tickets: state.tickets.filter((t) => t.transaction_id === order.paymentId) }
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
