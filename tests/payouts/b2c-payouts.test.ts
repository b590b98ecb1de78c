/**
 * Resale payouts sent by Daraja B2C (the simulator): a due payout is sent by the sweep and completed by
 * its result callback; a refusal is retried with backoff and, after three, paid by hand (flagged, seller
 * told); a queue timeout is sent again with the same OriginatorConversationID, so a late success is
 * taken once and a second payment is never made; without B2C credentials a payout waits for the manager.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { B2C_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { MAX_B2C_ATTEMPTS } from '../../src/payouts/payout-results.ts'
import { REQUEST_STALE_MS, sendPayout } from '../../src/payouts/payout-sweep.ts'
import { tick } from '../../src/jobs/runner.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
import { createPaymentKit, type PaymentKit } from '../support/payments.ts'
import { flagsOf, noticesOf, payoutRow, resaleWithPayout, SELLER_NET, sweep } from './payout-kit.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const paymentsTo = (phone: string) => kit.sim.state.b2cPayments.filter((p) => p.partyB === phone)

describe('a payout sent by B2C', () => {
  it('is sent once by the sweep and completed by its result, receipt kept, the seller told', async () => {
    const { payout, event } = await resaleWithPayout(db, kit, { phone: '254711000101' })
    expect(await sweep(db, kit)).toBeGreaterThanOrEqual(1)
    const sent = paymentsTo('254711000101')
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ amount: SELLER_NET / 100, partyA: '600000', commandId: 'BusinessPayment', status: 'paid' })
    expect(sent[0]!.resultUrl).toMatch(new RegExp(`^http://localhost/payments/mpesa/b2c/${payout.id}/[A-Za-z0-9_-]{40,}/result$`))
    expect(sent[0]!.queueTimeoutUrl).toBe(sent[0]!.resultUrl.replace(/result$/, 'timeout'))

    const done = await payoutRow(db, payout.id)
    expect(done).toMatchObject({ status: 'completed', method: 'b2c', attempts: 1, receipt: sent[0]!.receipt, result_code: '0' })
    expect(done.completed_at).not.toBeNull()
    expect(done.originator_conversation_id).toBe(sent[0]!.originatorConversationId)
    const notices = await noticesOf(db, event.id)
    expect(notices.map((n) => [n.type, n.channel])).toEqual([['payout_sent', 'email'], ['payout_sent', 'whatsapp']])
    expect((notices[1]!.content as { body: string; to: string }).body).toContain(sent[0]!.receipt!)
    expect((notices[1]!.content as { to: string }).to).toBe('254711000101')

    // another sweep sends nothing more; the same result again changes nothing
    await sweep(db, kit)
    expect(paymentsTo('254711000101')).toHaveLength(1)
    const result = kit.sim.state.callbacks.find((cb) => cb.kind === 'b2c' && cb.url === sent[0]!.resultUrl)!
    const replay = await kit.app.request(result.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(result.body) })
    expect(replay.status).toBe(200)
    expect(await replay.json()).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' })
    expect(await payoutRow(db, payout.id)).toEqual(done)
    expect(await noticesOf(db, event.id)).toHaveLength(2)
  })

  it('retries a refusal with backoff, then after three goes to be paid by hand, flagged, the seller told', async () => {
    const { payout, payment, event } = await resaleWithPayout(db, kit, { phone: B2C_PHONES.refused })
    const start = kit.clock.now().getTime()
    await sweep(db, kit)
    let row = await payoutRow(db, payout.id)
    expect(row).toMatchObject({ status: 'due', attempts: 1, result_code: 'b2c_2040', originator_conversation_id: null })
    expect(row.result_description).toContain('can\'t be supported')
    expect(row.next_attempt_at.getTime()).toBe(start + 60_000)

    // before its time, nothing is sent
    kit.clock.advance(30_000)
    await sweep(db, kit)
    expect((await payoutRow(db, payout.id)).attempts).toBe(1)

    kit.clock.advance(31_000)
    await sweep(db, kit)
    row = await payoutRow(db, payout.id)
    expect(row).toMatchObject({ status: 'due', attempts: 2 })
    expect(row.next_attempt_at.getTime()).toBe(kit.clock.now().getTime() + 2 * 60_000)
    kit.clock.advance(2 * 60_000)
    await sweep(db, kit)
    row = await payoutRow(db, payout.id)
    expect(row).toMatchObject({ status: 'manual', attempts: MAX_B2C_ATTEMPTS, result_code: 'b2c_2040' })
    // each attempt had its own OriginatorConversationID: a refused one paid nothing
    const ids = paymentsTo(B2C_PHONES.refused).filter((p) => p.resultUrl.includes(payout.id)).map((p) => p.originatorConversationId)
    expect(new Set(ids).size).toBe(3)
    expect(await flagsOf(db, payment.id)).toMatchObject([{ kind: 'payout_manual', detail: { payoutId: payout.id, why: 'b2c_2040' } }])
    expect((await noticesOf(db, event.id)).map((n) => n.type)).toEqual(['payout_manual', 'payout_manual'])

    kit.clock.advance(60 * 60_000)
    await sweep(db, kit)
    expect(paymentsTo(B2C_PHONES.refused).filter((p) => p.resultUrl.includes(payout.id))).toHaveLength(3)
  })

  it('sends a timed-out payout again with the same OriginatorConversationID, and it is paid once', async () => {
    const { payout } = await resaleWithPayout(db, kit, { phone: B2C_PHONES.timeoutThenPaid })
    await sweep(db, kit)
    const first = await payoutRow(db, payout.id)
    expect(first).toMatchObject({ status: 'due', attempts: 1, result_code: 'timeout' })
    const mine = () => kit.sim.state.b2cPayments.filter((p) => p.resultUrl.includes(payout.id))
    expect(mine().map((p) => p.status)).toEqual(['timed_out'])

    kit.clock.advance(60_000)
    await sweep(db, kit)
    const done = await payoutRow(db, payout.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 2, method: 'b2c' })
    expect(mine().map((p) => p.status)).toEqual(['timed_out', 'paid'])
    expect(new Set(mine().map((p) => p.originatorConversationId)).size).toBe(1)
    expect(new Set(mine().map((p) => p.resultUrl)).size).toBe(1)
    expect(done.receipt).toBe(mine()[1]!.receipt)
  })

  it('takes a success that comes after the timeout and never sends a second payment', async () => {
    const { payout, event } = await resaleWithPayout(db, kit, { phone: B2C_PHONES.timeoutLateSuccess })
    await sweep(db, kit)
    const done = await payoutRow(db, payout.id)
    expect(done).toMatchObject({ status: 'completed', attempts: 1, method: 'b2c' })
    kit.clock.advance(10 * 60_000)
    await sweep(db, kit)
    const mine = kit.sim.state.b2cPayments.filter((p) => p.resultUrl.includes(payout.id))
    expect(mine.map((p) => p.status)).toEqual(['paid'])
    expect((await noticesOf(db, event.id)).filter((n) => n.type === 'payout_sent')).toHaveLength(2) // email + WhatsApp, once
  })

  it('leaves a timed-out payout that M-Pesa then refuses as a duplicate to a person, never paying it again', async () => {
    const { payout, payment } = await resaleWithPayout(db, kit, { phone: B2C_PHONES.timeoutThenPaid })
    await sweep(db, kit)
    // the timed-out request was processed after all, but its result never reached us
    const first = kit.sim.state.b2cPayments.find((p) => p.resultUrl.includes(payout.id))!
    first.status = 'paid'
    kit.clock.advance(60_000)
    await sweep(db, kit)
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'manual', result_code: 'duplicate_unconfirmed', attempts: 2 })
    expect(kit.sim.state.b2cPayments.filter((p) => p.resultUrl.includes(payout.id))).toHaveLength(1)
    expect(await flagsOf(db, payment.id)).toMatchObject([{ kind: 'payout_manual', detail: { why: 'duplicate_unconfirmed' } }])
  })

  it('takes a request that never hears back as timed out after 30 minutes, on the scheduler tick', async () => {
    const { payout } = await resaleWithPayout(db, kit, { phone: '254711000102' })
    // Daraja accepts it and pays, but its result is lost on the way
    const original = kit.services.daraja.fetch!
    kit.services.daraja.fetch = async (input, init) => {
      const answer = await original(input, init)
      kit.sim.state.b2cPayments.at(-1)!.resultUrl = 'http://localhost/nowhere'
      return answer
    }
    try {
      await sendPayout(db, kit.services, payout.id, kit.clock.now())
    } finally {
      kit.services.daraja.fetch = original
    }
    await kit.sim.settle()
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'requested', attempts: 1 })
    kit.clock.advance(REQUEST_STALE_MS - 1000)
    await tick(db, kit.services, kit.clock.now())
    expect((await payoutRow(db, payout.id)).status).toBe('requested')
    kit.clock.advance(2000)
    await tick(db, kit.services, kit.clock.now())
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'due', result_code: 'no_answer' })
    // sent again with the same id: M-Pesa refuses the duplicate, so a person checks rather than paying twice
    kit.clock.advance(60_000)
    await tick(db, kit.services, kit.clock.now())
    await kit.sim.settle()
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'manual', result_code: 'duplicate_unconfirmed', attempts: 2 })
    expect(kit.sim.state.b2cPayments.filter((p) => p.partyB === '254711000102').map((p) => p.status)).toEqual(['paid'])
  })

  it('without B2C credentials goes to be paid by hand at once, and Daraja is never asked', async () => {
    const before = kit.sim.state.b2cPayments.length
    const { payout, payment, event } = await resaleWithPayout(db, kit, { initiator: false, phone: '254711000103' })
    await sweep(db, kit)
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'manual', attempts: 0, result_code: 'no_initiator' })
    expect(kit.sim.state.b2cPayments.length).toBe(before)
    expect(await flagsOf(db, payment.id)).toMatchObject([{ kind: 'payout_manual', detail: { why: 'no_initiator' } }])
    expect((await noticesOf(db, event.id)).map((n) => n.type)).toEqual(['payout_manual', 'payout_manual'])
  })

  it('with initiator credentials but no B2C shortcode goes to be paid by hand: B2C never pays from the paybill', async () => {
    const before = kit.sim.state.b2cPayments.length
    const { payout, payment, tenantId } = await resaleWithPayout(db, kit, { phone: '254711000104' })
    await asSystem(db, (trx) => trx.updateTable('mpesa_credentials').set({ b2c_shortcode: null }).where('tenant_id', '=', tenantId).execute())
    await sweep(db, kit)
    expect(await payoutRow(db, payout.id)).toMatchObject({ status: 'manual', attempts: 0, result_code: 'no_b2c_shortcode' })
    expect(kit.sim.state.b2cPayments.length).toBe(before)
    expect(await flagsOf(db, payment.id)).toMatchObject([{ kind: 'payout_manual', detail: { why: 'no_b2c_shortcode' } }])
  })

  it('leaves an amount B2C cannot carry (cents, under KES 10) to be paid by hand', async () => {
    const cents = await resaleWithPayout(db, kit, { amountMinor: 150_050 })
    const small = await resaleWithPayout(db, kit, { amountMinor: 900 })
    await sweep(db, kit)
    expect(await payoutRow(db, cents.payout.id)).toMatchObject({ status: 'manual', result_code: 'amount_not_whole', attempts: 0 })
    expect(await payoutRow(db, small.payout.id)).toMatchObject({ status: 'manual', result_code: 'amount_out_of_range', attempts: 0 })
  })
})
