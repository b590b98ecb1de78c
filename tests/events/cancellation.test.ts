/**
 * Cancelling an event (invariant 12): every ticket cancelled and its QR refused, every paid purchase
 * refunded exactly once (late payments too), buyers told, totals right; Daraja refusing some reversals;
 * the refund work killed halfway and run again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import type { FetchFn } from '../../src/lib/fetch.ts'
import { reconciliationTotals } from '../../src/payments/reconciliation-service.ts'
import { MAX_REVERSAL_ATTEMPTS, sweepRefunds } from '../../src/payments/refunds.ts'
import { checkTicketCode } from '../../src/tickets/issuing.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'
import { eventState, purchase, signIn } from '../support/purchases.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const PRICE = 100_000 // KES 1,000

async function organiser() {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: PRICE, capacity: 30 }] })
  const managerAccount = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
  const manager = await signIn(kit, managerAccount)
  return { tenant, event, type: ticketTypes[0]!, manager, managerAccount }
}

async function cancel(manager: Awaited<ReturnType<typeof organiser>>['manager'], eventId: string) {
  return manager.post(`/manage/events/${eventId}/status`, { status: 'cancelled' })
}

/** Runs the refund work until nothing is due (the clock moves past each retry), and waits for Daraja's results. */
async function refundEverything(rounds = 8) {
  for (let round = 0; round < rounds; round++) {
    await kit.runJobs()
    await sweepRefunds(db, kit.services, kit.clock.now(), 100)
    await kit.sim.settle()
    kit.clock.advance(10 * 60_000)
  }
}

describe('cancelling an event with paid, pending, held and late-paying purchases', () => {
  it('cancels every ticket, refuses every QR, refunds each paid purchase exactly once and tells each buyer', async () => {
    const { event, type, manager, tenant, managerAccount } = await organiser()
    const paid = [
      await purchase(kit, db, event.id, type.id, { quantity: 2, pay: 'now' }),
      await purchase(kit, db, event.id, type.id, { quantity: 1, pay: 'now' }),
      await purchase(kit, db, event.id, type.id, { quantity: 3, pay: 'now' }),
    ]
    const latePayer = await purchase(kit, db, event.id, type.id, { quantity: 1, pay: 'prompt' })
    const pendingThenCancelled = await purchase(kit, db, event.id, type.id, { quantity: 1, pay: 'prompt' })
    const held = await purchase(kit, db, event.id, type.id, { quantity: 2, pay: 'none' })
    const before = await eventState(db, event.id)
    const codes = before.tickets.filter((t) => t.status === 'active').map((t) => t.qr_code!)
    expect(codes).toHaveLength(6)

    const res = await cancel(manager, event.id)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/manage/events/${event.id}?notice=cancelled`)

    const after = await eventState(db, event.id)
    expect(after.event.status).toBe('cancelled')
    expect(after.tickets.filter((t) => t.status !== 'cancelled')).toEqual([])
    for (const code of codes) expect(await checkTicketCode(db, code, { eventId: event.id, now: kit.clock.now() })).toEqual({ ok: false, reason: 'cancelled' })
    expect(after.reservations.find((r) => r.id === held.reservationId)!.status).toBe('cancelled')
    expect(after.refunds.map((r) => [r.transaction_id, r.amount_minor, r.reason, r.status]).sort()).toEqual([
      [paid[0]!.paymentId, 2 * PRICE, 'event_cancelled', 'due'],
      [paid[1]!.paymentId, PRICE, 'event_cancelled', 'due'],
      [paid[2]!.paymentId, 3 * PRICE, 'event_cancelled', 'due'],
    ].sort())
    const cancelledNotices = after.notices.filter((n) => n.type === 'event_cancelled')
    expect(cancelledNotices).toHaveLength(3)
    expect(cancelledNotices[0]).toMatchObject({ channel: 'whatsapp', status: 'pending', content: { to: '254700000000', data: { eventTitle: event.title } } })
    expect((cancelledNotices[0]!.content as { body: string }).body).toContain(event.title)
    // an event cannot be cancelled twice, or its refunds opened twice
    expect((await cancel(manager, event.id)).status).toBe(409)
    expect((await eventState(db, event.id)).refunds).toHaveLength(3)

    // the buyer pays late: refunded, never a ticket; the other cancels the prompt: nothing to refund
    await kit.sim.answer(latePayer.checkoutRequestId!, 0)
    await kit.sim.answer(pendingThenCancelled.checkoutRequestId!, 1032)
    const late = await eventState(db, event.id)
    expect(late.payments.find((p) => p.id === latePayer.paymentId)!.status).toBe('refund_due')
    expect(late.payments.find((p) => p.id === pendingThenCancelled.paymentId)!.status).toBe('failed')
    expect(late.tickets.filter((t) => t.status !== 'cancelled')).toEqual([])
    const view = await (await kit.app.request(`/api/v1/payments/${latePayer.paymentId}`, { headers: { authorization: `Bearer ${latePayer.token}` } })).json()
    expect(view).toMatchObject({ status: 'refund_due', reason: { code: 'event_cancelled' } })
    expect(late.notices.filter((n) => n.type === 'refund_issued').map((n) => (n.content as { transactionId: string }).transactionId))
      .toEqual([latePayer.paymentId])

    await refundEverything()
    const done = await eventState(db, event.id)
    expect(done.refunds.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed'])
    const refundedReceipts = kit.sim.state.reversals.filter((r) => r.resultCode === 0).map((r) => r.receipt)
    const receipts = done.payments.filter((p) => p.mpesa_receipt_number).map((p) => p.mpesa_receipt_number!)
    expect(receipts).toHaveLength(4)
    for (const receipt of receipts) expect(refundedReceipts.filter((r) => r === receipt)).toHaveLength(1)
    for (const payment of done.payments.filter((p) => p.mpesa_receipt_number)) {
      expect(payment).toMatchObject({ status: 'refunded', refunded_minor: payment.amount_minor, commission_earned_minor: 0, net_minor: 0 })
    }
    expect(done.notices.filter((n) => n.type === 'refund_completed')).toHaveLength(4)
    const totals = await asSystem(db, (trx) => reconciliationTotals(trx, { tenantId: tenant.id, eventId: event.id }))
    expect(totals).toMatchObject({ grossMinor: 0, commissionMinor: 0, netMinor: 0, refunded: 4, refundedMinor: 7 * PRICE, failed: 1 })

    // (staff sessions time out after 30 idle minutes: the refund rounds moved the clock on)
    const progress = await (await signIn(kit, managerAccount)).get(`/manage/events/${event.id}/refunds`)
    expect(progress.status).toBe(200)
    const html = await progress.text()
    expect(html).toContain('All refunds are finished.')
    expect(html).toMatch(/data-progress="completed"[^>]*>4 · KES\s7,000/)
  })

  it('flags the refunds Daraja keeps refusing for a refund by hand, and still refunds the others', async () => {
    const { event, type, manager, managerAccount } = await organiser()
    const first = await purchase(kit, db, event.id, type.id, { quantity: 1, pay: 'now' })
    const second = await purchase(kit, db, event.id, type.id, { quantity: 2, pay: 'now' })
    const refused = (await eventState(db, event.id)).payments.find((p) => p.id === second.paymentId)!.mpesa_receipt_number!
    kit.sim.state.refusedReversals.add(refused)
    try {
      expect((await cancel(manager, event.id)).status).toBe(303)
      await refundEverything()
    } finally {
      kit.sim.state.refusedReversals.delete(refused)
    }
    const after = await eventState(db, event.id)
    const byPayment = new Map(after.refunds.map((r) => [r.transaction_id, r]))
    expect(byPayment.get(first.paymentId!)!.status).toBe('completed')
    expect(byPayment.get(second.paymentId!)).toMatchObject({ status: 'manual', attempts: MAX_REVERSAL_ATTEMPTS })
    expect(kit.sim.state.reversals.filter((r) => r.receipt === refused)).toHaveLength(MAX_REVERSAL_ATTEMPTS)
    expect(after.payments.find((p) => p.id === second.paymentId)!.status).toBe('refund_due')
    expect(after.flags).toEqual([{ kind: 'refund_manual', transaction_id: second.paymentId }])
    expect(after.notices.filter((n) => n.type === 'refund_failed').map((n) => (n.content as { transactionId: string }).transactionId))
      .toEqual([second.paymentId])
    const html = await (await (await signIn(kit, managerAccount)).get(`/manage/events/${event.id}/refunds`)).text()
    expect(html).toMatch(/data-progress="manual"[^>]*>1 · KES\s2,000/)
    expect(html).toContain(refused)
    const payments = await (await (await signIn(kit, managerAccount)).get(`/manage/payments?event=${event.id}`)).text()
    expect(payments).toContain('M-Pesa would not make this refund')
    expect(payments).toContain('M-Pesa would not reverse these.')
  })

  it('refunds nothing twice when the refund work is killed halfway and run again', async () => {
    const { event, type, manager } = await organiser()
    for (let i = 0; i < 5; i++) await purchase(kit, db, event.id, type.id, { quantity: 1, pay: 'now' })
    expect((await cancel(manager, event.id)).status).toBe(303)
    // the run dies after Daraja took its third reversal, before Daraja's answer reached us: nothing after it runs
    let calls = 0
    const dying: FetchFn = async (input, init) => {
      const res = await kit.services.daraja.fetch!(input, init)
      if (input.includes('/reversal/') && ++calls === 3) throw new Error('the process was killed')
      return res
    }
    expect(await sweepRefunds(db, { ...kit.services, daraja: { ...kit.services.daraja, fetch: dying } }, kit.clock.now(), 3)).toBe(3)
    const halfway = await eventState(db, event.id)
    expect(halfway.refunds.filter((r) => r.status === 'due')).toHaveLength(2)
    // the third was taken by Daraja but we never heard: it stays asked for (never sent again), and its result still comes
    expect(halfway.refunds.filter((r) => r.status !== 'due' && r.reversal_conversation_id === null)).toHaveLength(1)
    await refundEverything(3)
    const after = await eventState(db, event.id)
    expect(after.refunds.map((r) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed', 'completed'])
    const receipts = after.payments.map((p) => p.mpesa_receipt_number!)
    for (const receipt of receipts) expect(kit.sim.state.reversals.filter((r) => r.receipt === receipt)).toHaveLength(1)
  })
})

describe('a payment settling while the event is cancelled', () => {
  it(`ends with no valid ticket and exactly one refund, whichever goes first ${concurrencyNote}`, async () => {
    for (let round = 0; round < 3; round++) {
      const { event, type, manager } = await organiser()
      const racing = await purchase(kit, db, event.id, type.id, { quantity: 2, pay: 'prompt' })
      const [, cancelled] = await Promise.all([kit.sim.answer(racing.checkoutRequestId!, 0), cancel(manager, event.id)])
      expect(cancelled.status).toBe(303)
      const after = await eventState(db, event.id)
      expect(after.event.status).toBe('cancelled')
      expect(after.tickets.filter((t) => t.status !== 'cancelled')).toEqual([])
      expect(after.refunds.map((r) => [r.transaction_id, r.amount_minor])).toEqual([[racing.paymentId, 2 * PRICE]])
      await refundEverything(2)
      const done = await eventState(db, event.id)
      expect(done.payments[0]).toMatchObject({ status: 'refunded', refunded_minor: 2 * PRICE })
    }
  })
})

describe('who may cancel', () => {
  it('refuses another tenant’s manager and changes nothing', async () => {
    const { event, type } = await organiser()
    await purchase(kit, db, event.id, type.id, { quantity: 1, pay: 'now' })
    const other = await organiser()
    const res = await cancel(other.manager, event.id)
    expect(res.status).toBe(404)
    const after = await eventState(db, event.id)
    expect(after.event.status).toBe('published')
    expect(after.refunds).toEqual([])
    expect(after.tickets.filter((t) => t.status === 'active')).toHaveLength(1)
    expect((await other.manager.get(`/manage/events/${event.id}/refunds`)).status).toBe(404)
  })

  it('answers a bad event id with 404 and a draft’s cancellation with no refunds', async () => {
    const { manager, tenant } = await organiser()
    expect((await manager.post('/manage/events/not-a-uuid/status', { status: 'cancelled' })).status).toBe(404)
    expect((await manager.get('/manage/events/not-a-uuid/refunds')).status).toBe(404)
    const { event: draft } = await createEvent(db, tenant.id, { status: 'draft' })
    expect((await cancel(manager, draft.id)).status).toBe(303)
    expect((await eventState(db, draft.id)).event.status).toBe('cancelled')
  })
})
