/**
 * A refund M-Pesa would not make is owed by the organiser, who sends the money another way and records it:
 * the refund is completed with the manager's reference, the payment's refunded amount grows (a whole refund
 * makes it refunded), the buyer is told, the audit log keeps who did it; a second record, a refund still on
 * its way, bad input and another tenant's manager are refused with nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { sweepRefunds } from '../../src/payments/refunds.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
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

async function paidOrder(quantity: number) {
  const sold = await paidOrderOfNewOrganiser(kit, db, quantity, PRICE)
  return { ...sold, manager: Object.assign(await signIn(kit, sold.account), { account: sold.account }) }
}

async function sendRefunds(rounds = 1) {
  for (let round = 0; round < rounds; round++) {
    await kit.runJobs()
    await sweepRefunds(db, kit.services, kit.clock.now(), 100)
    await kit.sim.settle()
    kit.clock.advance(10 * 60_000)
  }
}

/** Runs `act` while M-Pesa refuses every reversal of `receipt`, then long enough for its refunds to go manual. */
async function refusing(receipt: string, act: () => Promise<void>) {
  kit.sim.state.refusedReversals.add(receipt)
  try {
    await act()
    await sendRefunds(6)
  } finally {
    kit.sim.state.refusedReversals.delete(receipt)
  }
}

const completedNotices = async (eventId: string) => (await eventState(db, eventId)).notices.filter((n) => n.type === 'refund_completed').length

describe('recording a refund made by hand', () => {
  it('completes a refused partial refund with the reference; the payment is partly refunded and the buyer told', async () => {
    const { event, order, manager, receipt, tickets } = await paidOrder(3)
    await refusing(receipt, async () => {
      expect((await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: tickets[0]!.id, reason: 'One cannot come' })).status).toBe(303)
    })
    const refund = (await eventState(db, event.id)).refunds[0]!
    expect(refund.status).toBe('manual')
    const again = await signIn(kit, manager.account)
    const page = await (await again.get(`/manage/payments/${order.paymentId}`)).text()
    expect(page).toContain('KES 1,000 to refund by hand')
    expect(page).toContain(`/manage/payments/${order.paymentId}/refunds/${refund.id}/done`)
    const progress = await (await again.get(`/manage/events/${event.id}/refunds`)).text()
    expect(progress).toContain(`/manage/payments/${order.paymentId}#refund-${refund.id}`)

    const res = await again.post(`/manage/payments/${order.paymentId}/refunds/${refund.id}/done`, { reference: '  QKX81HD3RT ' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/manage/payments/${order.paymentId}?byHand=${PRICE}`)
    const shown = await (await again.get(res.headers.get('location')!)).text()
    expect(shown).toContain('Recorded: KES 1,000 was refunded by hand.')
    expect(shown).toContain('Refunded by hand')
    expect(shown).toContain('QKX81HD3RT')

    const after = await eventState(db, event.id)
    expect(after.refunds[0]).toMatchObject({ status: 'completed', result_code: 'by_hand', manual_reference: 'QKX81HD3RT', completed_by: manager.account.id })
    expect(after.payments[0]).toMatchObject({ status: 'partially_refunded', refunded_minor: PRICE })
    expect(after.payments[0]!.commission_earned_minor).toBe(Math.round(after.payments[0]!.commission_minor * 2 / 3))
    expect(await completedNotices(event.id)).toBe(1)
    const audit = await asSystem(db, (trx) => trx.selectFrom('audit_log').selectAll().where('target_id', '=', refund.id).execute())
    expect(audit.map((a) => [a.action, a.actor_user_id])).toEqual([['refund_marked_by_hand', manager.account.id]])

    const twice = await again.post(`/manage/payments/${order.paymentId}/refunds/${refund.id}/done`, { reference: 'QKX81HD3RT' })
    expect(twice.status).toBe(409)
    expect(await twice.text()).toContain('already recorded as done')
    expect((await eventState(db, event.id)).payments[0]).toMatchObject({ status: 'partially_refunded', refunded_minor: PRICE })
    expect(await completedNotices(event.id)).toBe(1)
  })

  it('makes a whole payment refunded once its refused whole refund is recorded', async () => {
    const { event, order, manager, receipt } = await paidOrder(2)
    await refusing(receipt, async () => {
      expect((await manager.post(`/manage/events/${event.id}/status`, { status: 'cancelled' })).status).toBe(303)
    })
    const before = await eventState(db, event.id)
    expect(before.refunds.map((r) => [r.status, r.amount_minor])).toEqual([['manual', 2 * PRICE]])
    expect(before.payments[0]!.status).toBe('refund_due')
    const again = await signIn(kit, manager.account)
    expect((await again.post(`/manage/payments/${order.paymentId}/refunds/${before.refunds[0]!.id}/done`, { reference: 'Sent from the till' })).status).toBe(303)
    const after = await eventState(db, event.id)
    expect(after.payments[0]).toMatchObject({ status: 'refunded', refunded_minor: 2 * PRICE, commission_earned_minor: 0, net_minor: 0 })
    // nothing more goes back by Reversal
    await sendRefunds(2)
    expect((await eventState(db, event.id)).refunds).toHaveLength(1)
  })

  it('records the part owed by hand after a cancellation sent the rest back', async () => {
    const { event, order, manager, receipt, tickets } = await paidOrder(3)
    await refusing(receipt, async () => {
      expect((await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: tickets[0]!.id, reason: 'One cannot come' })).status).toBe(303)
    })
    const again = await signIn(kit, manager.account)
    expect((await again.post(`/manage/events/${event.id}/status`, { status: 'cancelled' })).status).toBe(303)
    const manual = (await eventState(db, event.id)).refunds.find((r) => r.status === 'manual')!
    // the rest of the payment is still on its way back: wait for it
    const early = await again.post(`/manage/payments/${order.paymentId}/refunds/${manual.id}/done`, { reference: 'QKX81HD3RT' })
    expect(early.status).toBe(409)
    expect(await early.text()).toContain('Another refund of this payment is under way')
    expect((await eventState(db, event.id)).refunds.find((r) => r.id === manual.id)!.status).toBe('manual')

    await sendRefunds()
    expect((await eventState(db, event.id)).payments[0]).toMatchObject({ status: 'partially_refunded', refunded_minor: 2 * PRICE })
    expect((await again.post(`/manage/payments/${order.paymentId}/refunds/${manual.id}/done`, { reference: 'QKX81HD3RT' })).status).toBe(303)
    const after = await eventState(db, event.id)
    expect(after.payments[0]).toMatchObject({ status: 'refunded', refunded_minor: 3 * PRICE, commission_earned_minor: 0 })
    expect(after.refunds.map((r) => r.status)).toEqual(['completed', 'completed'])
  })

  it('refuses bad input, a refund still on its way, another order’s refund and another tenant’s manager: nothing changes', async () => {
    const { event, order, manager, receipt, tickets } = await paidOrder(2)
    await refusing(receipt, async () => {
      expect((await manager.post(`/manage/payments/${order.paymentId}/refund`, { tickets: tickets[0]!.id, reason: 'One cannot come' })).status).toBe(303)
    })
    const manual = (await eventState(db, event.id)).refunds[0]!
    const other = await paidOrder(1)
    expect((await other.manager.post(`/manage/payments/${other.order.paymentId}/refund`, { tickets: other.tickets[0]!.id, reason: 'Cannot come' })).status).toBe(303)
    const due = (await eventState(db, other.event.id)).refunds[0]!
    expect(due.status).toBe('due')

    const again = await signIn(kit, manager.account)
    const path = `/manage/payments/${order.paymentId}/refunds/${manual.id}/done`
    for (const reference of ['', ' x ', 'y'.repeat(61)]) {
      const res = await again.post(path, { reference })
      expect(res.status, reference).toBe(422)
      expect(await res.text()).toContain('Give your reference for this refund')
    }
    expect((await again.post(path, {})).status).toBe(422)
    expect((await again.post(`/manage/payments/${order.paymentId}/refunds/not-a-uuid/done`, { reference: 'QKX81HD3RT' })).status).toBe(404)
    // a refund of another payment, named under this one
    expect((await again.post(`/manage/payments/${order.paymentId}/refunds/${due.id}/done`, { reference: 'QKX81HD3RT' })).status).toBe(404)
    // another tenant's manager, with the right ids
    expect((await other.manager.post(path, { reference: 'QKX81HD3RT' })).status).toBe(404)
    // a refund M-Pesa is still making is not recorded by hand
    const notManual = await other.manager.post(`/manage/payments/${other.order.paymentId}/refunds/${due.id}/done`, { reference: 'QKX81HD3RT' })
    expect(notManual.status).toBe(409)
    expect(await notManual.text()).toContain('still on its way')

    expect((await eventState(db, event.id)).refunds[0]).toMatchObject({ status: 'manual', manual_reference: null })
    expect((await eventState(db, event.id)).payments[0]).toMatchObject({ status: 'completed', refunded_minor: 0 })
    expect((await eventState(db, other.event.id)).refunds[0]!.status).toBe('due')
  })
})
