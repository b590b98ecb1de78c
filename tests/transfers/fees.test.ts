/**
 * Transfer fees paid with M-Pesa (the Daraja simulator): the sender confirms, pays, and only then is the
 * recipient asked; the fee is taken once however the callbacks come; money for a transfer that is over goes back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { expireDueTransfers } from '../../src/transfers/transfer-service.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, DAY } from '../support/fixtures.ts'
import { freshPhone } from '../support/ticket-owner-world.ts'
import { FEE, feeKit } from './fee-kit.ts'
import { codeSentTo, linkSentTo, messageTo } from './transfer-kit.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
}, 60_000)
afterAll(() => db.destroy())

describe('a transfer with a fee', () => {
  it('waits for the fee after the sender’s code; once paid the recipient is asked, accepts, and only the new QR admits', async () => {
    const k = await feeKit(db)
    const oldCode = (await k.ticketRow()).qr_code!
    // the wallet says what a transfer costs before one starts
    expect(await (await k.clients.seller.get('/tickets')).text()).toContain('The organiser charges KES 100 per transfer')
    const { id, confirmed } = await k.startAndConfirm()
    expect(confirmed).toMatchObject({ status: 'pending', confirmed: true, fee: { amountMinor: FEE, currency: 'KES', status: 'due', transactionId: null } })
    expect(await k.recipientMessages('transfer_received')).toEqual([])
    const page = await (await k.clients.seller.get(`/transfers/${id}`)).text()
    expect(page).toContain('data-transfer-status="awaiting_fee"')
    expect(page).toContain('Pay KES 100 with M-Pesa')
    expect(page).toContain(`action="/transfers/${id}/fee"`)
    // the form offers the sender's own number, as checkout does
    expect(page).toContain(`value="0${k.sellerPhone.wa.slice(3)}"`)

    const paid = await k.payFee(id)
    expect(paid.res.status).toBe(202)
    expect(paid.res.headers.get('location')).toBe(`/api/v1/transfers/${id}`)
    const payment = await k.paymentRow(paid.body!.transactionId)
    expect(payment).toMatchObject({
      transaction_type: 'transfer_fee', status: 'completed', amount_minor: FEE, transfer_id: id, ticket_id: k.ticket.id, user_id: k.seller.id,
      event_id: k.event.id, tenant_id: k.tenant.id, mpesa_phone: SIMULATOR_PHONES.success,
    })
    // the tenant's commission, as on any payment (the test tenant's rate)
    const tenant = await asSystem(db, (trx) => trx.selectFrom('tenants').select('commission_rate_bps').where('id', '=', k.tenant.id).executeTakeFirstOrThrow())
    expect(payment.commission_minor).toBe(Math.round(FEE * tenant.commission_rate_bps / 10_000))
    expect(payment.commission_earned_minor + payment.net_minor).toBe(FEE)
    expect(await k.transferRow(id)).toMatchObject({ status: 'pending', fee_transaction_id: payment.id, transfer_fee_minor: FEE })
    expect((await k.transferRow(id)).fee_paid_at).not.toBeNull()
    expect((await k.show(id)).body).toMatchObject({ status: 'pending', fee: { status: 'paid', transactionId: payment.id } })
    // a second request for the same fee is refused, nothing sent
    const prompts = k.kit.sim.state.prompts.length
    const again = await k.payFee(id)
    expect(again.res.status).toBe(409)
    expect((await again.res.json() as { error: { code: string } }).error.code).toBe('fee_paid')
    expect(k.kit.sim.state.prompts.length).toBe(prompts)

    // the recipient is asked now, and accepts
    expect(await k.recipientMessages('transfer_received')).toHaveLength(1)
    const link = await linkSentTo(db, k.recipient.wa, k.kit.ring)
    const code = await codeSentTo(db, k.recipient.wa, k.kit.ring)
    const accepted = await k.clients.anonymous.postJson(`/api/v1/transfers/${id}/accept`, { link, code })
    expect(accepted.status).toBe(200)
    const after = await k.ticketRow()
    expect(after.user_id).not.toBe(k.seller.id)
    expect(await k.scan(oldCode)).toMatchObject({ result: 'transferred' })
    expect(await k.scan(after.qr_code!)).toMatchObject({ result: 'valid' })

    // the manager's audit trail and payments show the fee; the other organiser sees neither
    const log = await (await k.clients.manager.get(`/manage/events/${k.event.id}/transfers`)).text()
    expect(log).toContain('data-fee="paid"')
    expect(log).toContain(`/manage/payments/${payment.id}`)
    const detail = await k.clients.manager.get(`/manage/payments/${payment.id}`)
    expect(detail.status).toBe(200)
    expect((await k.clients.foreignManager.get(`/manage/payments/${payment.id}`)).status).toBe(404)
    const csv = await (await k.clients.manager.get('/manage/payments.csv')).text()
    expect(csv.split('\r\n').find((line) => line.includes('transfer_fee'))).toContain('100')
    expect((await k.clients.foreignManager.get(`/manage/events/${k.event.id}/transfers`)).status).toBe(404)
    expect(await (await k.clients.foreignManager.get('/manage/payments.csv')).text()).not.toContain('transfer_fee')
  })

  it('unpaid, the recipient is never asked: no link, no code, the old QR refused, and expiry gives the sender a new QR', async () => {
    const k = await feeKit(db)
    const oldCode = (await k.ticketRow()).qr_code!
    const { id } = await k.startAndConfirm()
    expect(await k.scan(oldCode)).toMatchObject({ result: 'transferred', reason: 'old_version' })
    expect(await (await k.clients.seller.get('/tickets')).text()).toContain('Pay the transfer fee to send the transfer')
    expect((await k.transferRow(id)).recipient_link_hash).toBeNull()
    expect(await k.recipientMessages('transfer_received')).toEqual([])
    expect(await k.recipientMessages('transfer_otp')).toEqual([])
    k.kit.clock.advance(DAY + 60_000)
    expect(await expireDueTransfers(db, k.kit.ring, k.kit.clock.now())).toBeGreaterThanOrEqual(1)
    expect(await k.transferRow(id)).toMatchObject({ status: 'expired', fee_paid_at: null })
    // the sender keeps the ticket with a new QR version (the scanner's session has lapsed by now: the row tells)
    const fresh = await k.ticketRow()
    expect(fresh).toMatchObject({ user_id: k.seller.id, status: 'active', qr_version: (await k.transferRow(id)).new_qr_version })
    expect(fresh.qr_code).not.toBeNull()
    expect(fresh.qr_code).not.toBe(oldCode)
    expect(await k.recipientMessages('transfer_received')).toEqual([])
    // paying for an expired transfer is refused, nothing sent
    const late = await k.payFee(id)
    expect(late.res.status).toBe(409)
    expect(await k.feePayments(id)).toEqual([])
  })

  it('takes the fee once when the callback comes three times', async () => {
    const k = await feeKit(db)
    const { id } = await k.startAndConfirm()
    const paid = await k.payFee(id, SIMULATOR_PHONES.duplicateCallbacks)
    expect(paid.res.status).toBe(202)
    expect(k.kit.answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(3)
    const payments = await k.feePayments(id)
    expect(payments.map((p) => p.status)).toEqual(['completed'])
    expect(await k.refundsOf(payments[0]!.id)).toEqual([])
    expect(await k.recipientMessages('transfer_received')).toHaveLength(1)
    expect(await k.recipientMessages('transfer_otp')).toHaveLength(1)
    expect((await k.transferRow(id)).fee_transaction_id).toBe(payments[0]!.id)
  })

  it('a payment that comes after the sender cancelled is refunded by Reversal; the transfer stays cancelled and the recipient is never asked', async () => {
    const k = await feeKit(db)
    const { id } = await k.startAndConfirm()
    const slow = freshPhone()
    const paying = await k.payFee(id, slow.wa)
    expect(paying.res.status).toBe(202)
    expect((await k.show(id)).body!.fee).toMatchObject({ status: 'pending', transactionId: paying.body!.transactionId })
    // a second tap while the prompt is out answers with the same payment
    const tap = await k.payFee(id, slow.wa)
    expect(tap.body!.transactionId).toBe(paying.body!.transactionId)
    expect(await k.feePayments(id)).toHaveLength(1)
    expect((await k.clients.seller.postJson(`/api/v1/transfers/${id}/cancel`, {})).status).toBe(200)
    const reissued = await k.ticketRow()
    await k.kit.sim.answer(paying.checkoutRequestId!, 0)
    await k.kit.sim.settle()
    const payment = await k.paymentRow(paying.body!.transactionId)
    expect(payment.status).toBe('refund_due')
    expect(await k.refundsOf(payment.id)).toEqual([expect.objectContaining({ reason: 'tickets_gone', amount_minor: FEE })])
    expect(await k.transferRow(id)).toMatchObject({ status: 'cancelled', fee_paid_at: null })
    expect(await k.recipientMessages('transfer_received')).toEqual([])
    expect((await k.ticketRow()).qr_version).toBe(reissued.qr_version)
    expect((await messageTo(db, 'refund_issued', slow.wa, k.kit.ring)).text).toContain('KES 100')
    await k.kit.runJobs()
    await k.kit.sim.settle()
    expect(k.kit.sim.state.reversals.length).toBeGreaterThan(0)
  })

  it('a payment that comes after the transfer’s 24 hours (no sweep yet) ends it and is refunded', async () => {
    const k = await feeKit(db)
    const oldVersion = (await k.ticketRow()).qr_version
    const { id } = await k.startAndConfirm()
    const paying = await k.payFee(id, freshPhone().wa)
    k.kit.clock.advance(DAY + 60_000)
    await k.kit.sim.answer(paying.checkoutRequestId!, 0)
    await k.kit.sim.settle()
    expect((await k.paymentRow(paying.body!.transactionId)).status).toBe('refund_due')
    expect(await k.transferRow(id)).toMatchObject({ status: 'expired', fee_paid_at: null })
    const ticket = await k.ticketRow()
    expect(ticket).toMatchObject({ user_id: k.seller.id, qr_version: oldVersion + 2 })
    expect(await k.recipientMessages('transfer_received')).toEqual([])
  })

  it('a failed payment leaves the transfer waiting for its fee; paying again sends it on', async () => {
    const k = await feeKit(db)
    const { id } = await k.startAndConfirm()
    const failed = await k.payFee(id, SIMULATOR_PHONES.cancelled)
    expect(failed.res.status).toBe(202)
    expect((await k.paymentRow(failed.body!.transactionId)).status).toBe('failed')
    expect((await k.show(id)).body).toMatchObject({ status: 'pending', fee: { status: 'failed' } })
    expect(await (await k.clients.seller.get(`/transfers/${id}`)).text()).toContain('The last payment did not go through')
    expect(await k.recipientMessages('transfer_received')).toEqual([])
    // the page's form pays too (no JavaScript): 303 back to the transfer
    const retry = await k.clients.seller.post(`/transfers/${id}/fee`, { phone: '0700 000 000' })
    await k.kit.sim.settle()
    expect(retry.status).toBe(303)
    expect(retry.headers.get('location')).toBe(`/transfers/${id}?notice=prompt`)
    expect((await k.feePayments(id)).map((p) => p.status)).toEqual(['failed', 'completed'])
    expect((await k.show(id)).body!.fee).toMatchObject({ status: 'paid' })
    expect(await k.recipientMessages('transfer_received')).toHaveLength(1)
  })

  it('refuses bad input with a 4xx and changes nothing; another owner, another tenant or nobody gets 404', async () => {
    const k = await feeKit(db)
    // before the sender's code: not yet
    const started = await k.clients.seller.postJson(`/api/v1/tickets/${k.ticket.id}/transfers`, { to: k.recipient.local })
    const id = (await started.json() as { id: string }).id
    const early = await k.payFee(id)
    expect(early.res.status).toBe(409)
    expect((await early.res.json() as { error: { code: string } }).error.code).toBe('not_confirmed')
    const code = await codeSentTo(db, k.sellerPhone.wa, k.kit.ring)
    expect((await k.clients.seller.postJson(`/api/v1/transfers/${id}/confirm`, { code })).status).toBe(200)
    const before = await k.transferRow(id)
    for (const phone of ['12345', '0800 000 000', '']) {
      const bad = await k.payFee(id, phone)
      expect(bad.res.status).toBe(422)
      expect((await bad.res.json() as { error: { code: string } }).error.code).toBe('invalid_phone')
    }
    expect((await k.clients.seller.postJson(`/api/v1/transfers/${id}/fee`, { phone: 712345678 })).status).toBe(422)
    const form = await k.clients.seller.post(`/transfers/${id}/fee`, { phone: 'not a phone' })
    expect(form.status).toBe(422)
    expect(await form.text()).toContain('value="not a phone"')
    // not theirs: 404, API and page alike
    for (const client of [k.clients.other, k.clients.foreignManager, k.clients.manager, k.clients.anonymous]) {
      expect((await k.payFee(id, SIMULATOR_PHONES.success, client)).res.status).toBe(404)
      expect((await k.show(id, client)).status).toBe(404)
    }
    expect((await k.clients.other.post(`/transfers/${id}/fee`, { phone: '0700000000' })).status).toBe(404)
    expect((await k.show('00000000-0000-4000-8000-000000000000')).status).toBe(404)
    expect((await k.clients.seller.get('/api/v1/transfers/not-a-uuid')).status).toBeGreaterThanOrEqual(400)
    expect(await k.feePayments(id)).toEqual([])
    expect(k.kit.sim.state.prompts).toEqual([])
    expect(await k.transferRow(id)).toEqual(before)
    expect(await k.recipientMessages('transfer_received')).toEqual([])
  })

  it('an event without a fee: the recipient is asked at once and paying is refused (409 no_fee_due)', async () => {
    const k = await feeKit(db, { fee: 0 })
    const { id, confirmed } = await k.startAndConfirm()
    expect(confirmed.fee).toBeNull()
    expect(await k.recipientMessages('transfer_received')).toHaveLength(1)
    const paid = await k.payFee(id)
    expect(paid.res.status).toBe(409)
    expect((await paid.res.json() as { error: { code: string } }).error.code).toBe('no_fee_due')
    expect(await k.feePayments(id)).toEqual([])
  })
})
