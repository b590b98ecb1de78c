/**
 * Buying a resale ticket with M-Pesa (the Daraja simulator): the ticket moves with a new QR version and the
 * seller's is refused, the payout adds up, one buyer at a time, and money that comes for a ticket that is gone
 * (sold to another buyer, scanned in) is refunded.
 */
import { resaleSplit } from '../../src/resale/resale-settlement.ts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { MINUTE } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
import { CAP, FACE, resaleKit } from './resale-kit.ts'
import { freshPhone } from '../support/ticket-owner-world.ts'
import { listOwnTickets } from '../../src/tickets/ticket-queries.ts'
import { messageTo } from '../transfers/transfer-kit.ts'
import { scanBody } from '../scanning/gate-fixtures.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
}, 60_000)
afterAll(() => db.destroy())

describe('a resale paid with M-Pesa', () => {
  it('moves the ticket to the buyer with a new QR, kills the seller’s, and writes one payout that adds up', async () => {
    const k = await resaleKit(db)
    const before = await k.ticketRow()
    const listingId = await k.listOk(CAP)
    const { res, body: hold } = await k.hold(listingId)
    expect(res.status).toBe(201)
    expect(hold).toMatchObject({ status: 'held', total: { amountMinor: CAP } })
    // the event's hold minutes (10)
    expect(Date.parse(hold!.expiresAt) - k.kit.clock.now().getTime()).toBe(10 * MINUTE)
    const paid = await k.pay(hold!)
    expect(paid.res.status).toBe(202)
    const payment = await k.paymentRow(paid.paymentId!)
    expect(payment).toMatchObject({ transaction_type: 'resale', status: 'completed', amount_minor: CAP, ticket_id: k.ticket.id })
    // the buyer without an account is a guest known by the paying phone
    const after = await k.ticketRow()
    const buyer = await asSystem(db, (trx) => trx.selectFrom('users').select(['id', 'is_guest', 'phone']).where('id', '=', after.user_id!).executeTakeFirstOrThrow())
    expect(buyer).toMatchObject({ is_guest: true, phone: SIMULATOR_PHONES.success })
    expect(after).toMatchObject({ status: 'active', qr_version: before.qr_version + 1, transaction_id: payment.id, reservation_id: hold!.id })
    expect(after.qr_code).not.toBe(before.qr_code)
    // the buyer's wallet shows what they paid, not the face value
    const [owned] = await asSystem(db, (trx) => listOwnTickets(trx, buyer.id))
    expect(owned).toMatchObject({ id: k.ticket.id, paid_minor: CAP, price_minor: FACE })
    expect(await k.listingRow(listingId)).toMatchObject({ status: 'sold', buyer_id: buyer.id, sold_transaction_id: payment.id })
    // money: commission (5 %) + organiser's fee (10 %) + payout = what the buyer paid
    const [payout, ...more] = await k.payouts()
    expect(more).toEqual([])
    expect(payout).toMatchObject({
      transaction_id: payment.id, listing_id: listingId, seller_id: k.seller.id, phone: k.sellerPhone.wa, status: 'due',
      organiser_fee_minor: 12_000, amount_minor: CAP - 6_000 - 12_000,
    })
    expect(payment.commission_minor).toBe(6_000)
    expect(payment.commission_minor + payout!.organiser_fee_minor + payout!.amount_minor).toBe(payment.amount_minor)
    // the gate: the seller's old code is refused as an old version, the buyer's new one admits
    expect(await k.scan(before.qr_code!)).toMatchObject({ result: 'transferred', reason: 'old_version' })
    const followed = await (await k.kit.app.request(`/api/v1/reservations/${hold!.id}`, { headers: { authorization: `Bearer ${hold!.token}` } })).json() as
      { status: string; tickets: Array<{ id: string; code: string }> }
    expect(followed.status).toBe('paid')
    expect(followed.tickets).toEqual([expect.objectContaining({ id: k.ticket.id, code: after.qr_code })])
    // both sides are told: the buyer gets the ticket (a single-use link for a guest), the seller the sale and payout
    expect((await messageTo(db, 'ticket_delivery', SIMULATOR_PHONES.success, k.kit.ring)).text).toContain('/tickets/open/')
    const sold = await messageTo(db, 'resale_sold', k.sellerPhone.wa, k.kit.ring)
    expect(sold.text).toContain('KES 1,200')
    expect(sold.text).toContain('KES 1,020')
    // the seller's wallet: sold, payout pending (then as the payout moves on)
    expect(await (await k.clients.seller.get('/tickets')).text()).toContain('Sold — payout: pending')
    await asSystem(db, (trx) => trx.updateTable('payouts').set({ status: 'manual' }).where('id', '=', payout!.id).execute())
    expect(await (await k.clients.seller.get('/tickets')).text()).toContain('Sold — payout: to be paid by the organiser')
    // the manager sees the sale, the fees and the payout's state; the other organiser nothing
    const manage = await (await k.clients.manager.get(`/manage/events/${k.event.id}/resale`)).text()
    expect(manage).toContain('data-total="fees">KES 120')
    expect(manage).toContain('data-total="payouts">KES 1,020')
    // a repeated callback changes nothing: still one owner, one QR version, one payout
    const callback = k.kit.sim.state.callbacks.find((sent) => sent.kind === 'stk' && JSON.stringify(sent.body).includes(paid.checkoutRequestId!))!
    const again = await k.kit.app.request(callback.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(callback.body) })
    expect(again.status).toBe(200)
    expect(await k.ticketRow()).toMatchObject({ user_id: buyer.id, qr_version: after.qr_version })
    expect((await k.payouts()).length).toBe(1)
    // the listing is gone from the offers, and cannot be held or withdrawn
    expect((await k.hold(listingId)).res.status).toBe(409)
    expect((await k.clients.seller.delete(`/api/v1/listings/${listingId}`)).status).toBe(409)
    const offers = await (await k.clients.anonymous.get(`/api/v1/events/${k.event.id}/listings`)).json() as { listings: unknown[] }
    expect(offers.listings).toEqual([])
  })

  it('two buyers racing for one listing: one holds it; a payment that comes after the other bought it is refunded (serialised on PGlite; concurrent on Postgres)', async () => {
    const k = await resaleKit(db)
    const listingId = await k.listOk(CAP)
    const race = await Promise.all([k.hold(listingId), k.hold(listingId)])
    expect(race.map((r) => r.res.status).sort()).toEqual([201, 409])
    const first = race.find((r) => r.res.status === 201)!.body!
    // the first buyer's prompt stays on their phone; their hold runs out
    const slow = freshPhone()
    const late = await k.pay(first, slow.wa)
    expect(late.res.status).toBe(202)
    k.kit.clock.advance(11 * MINUTE)
    const second = await k.hold(listingId)
    expect(second.res.status).toBe(201)
    const paid = await k.pay(second.body!)
    expect((await k.paymentRow(paid.paymentId!)).status).toBe('completed')
    const owner = (await k.ticketRow()).user_id
    // now the first buyer approves: that money has nothing to buy and goes back
    await k.kit.sim.answer(late.checkoutRequestId!, 0)
    await k.kit.sim.settle()
    const refunded = await k.paymentRow(late.paymentId!)
    expect(refunded.status).toBe('refund_due')
    expect(await k.refundsOf(refunded.id)).toEqual([expect.objectContaining({ reason: 'tickets_gone', amount_minor: CAP })])
    expect((await k.ticketRow()).user_id).toBe(owner)
    expect(await k.payouts()).toHaveLength(1)
    expect((await messageTo(db, 'refund_issued', slow.wa, k.kit.ring)).text).toContain('KES 1,200')
    // the refund machinery sends the Reversal
    await k.kit.runJobs()
    await k.kit.sim.settle()
    expect(k.kit.sim.state.reversals.length).toBeGreaterThan(0)
  })

  it('the seller scanned in while a buyer pays: the scan ends the listing, the payment is refunded, the ticket stays the seller’s, used', async () => {
    const k = await resaleKit(db)
    const code = (await k.ticketRow()).qr_code!
    const listingId = await k.listOk(CAP)
    const { body: hold } = await k.hold(listingId)
    const paying = await k.pay(hold!, freshPhone().wa)
    expect(paying.res.status).toBe(202)
    // a listed ticket still admits its seller until it sells
    expect((await k.scan(code)).result).toBe('valid')
    expect(await k.listingRow(listingId)).toMatchObject({ status: 'cancelled', end_reason: 'admitted' })
    await k.kit.sim.answer(paying.checkoutRequestId!, 0)
    await k.kit.sim.settle()
    expect((await k.paymentRow(paying.paymentId!)).status).toBe('refund_due')
    expect(await k.ticketRow()).toMatchObject({ status: 'used', user_id: k.seller.id })
    expect(await k.payouts()).toEqual([])
    expect(await (await k.clients.seller.get('/tickets')).text()).toContain('Used at')
  })

  it('an offline admission uploaded later ends the listing too: it can no longer be held', async () => {
    const k = await resaleKit(db)
    const code = (await k.ticketRow()).qr_code!
    const listingId = await k.listOk(CAP)
    const at = new Date(Date.now() - MINUTE)
    const upload = await k.clients.scanner.postJson(`/api/v1/events/${k.event.id}/scans/sync`,
      { scans: [{ ...scanBody(code, { deviceId: 'phone-offline', scannedAt: at.toISOString() }), offlineResult: 'valid' }] })
    expect(upload.status).toBe(200)
    expect((await upload.json() as { results: Array<{ answer: { result: string } }> }).results[0]!.answer.result).toBe('valid')
    expect(await k.listingRow(listingId)).toMatchObject({ status: 'cancelled', end_reason: 'admitted' })
    expect((await k.hold(listingId)).res.status).toBe(409)
    expect((await k.ticketRow()).status).toBe('used')
  })

  it('counts a resale hold among the client’s open holds of the event (HOLDS_PER_CLIENT, 5 here)', async () => {
    const k = await resaleKit(db)
    const listingId = await k.listOk(CAP)
    const expires = new Date(k.kit.clock.now().getTime() + 5 * MINUTE)
    await asSystem(db, (trx) => trx.insertInto('reservations').values(Array.from({ length: 5 }, () => ({
      tenant_id: k.tenant.id, event_id: k.event.id, user_id: k.otherBuyer.id, status: 'held' as const, expires_at: expires,
      access_token_hash: crypto.randomUUID(), total_minor: 0, client_key: `user:${k.otherBuyer.id}`,
    }))).execute())
    const refused = await k.clients.other.postJson(`/api/v1/listings/${listingId}/purchase`, {})
    expect(refused.status).toBe(429)
    expect((await refused.json() as { error: { code: string } }).error.code).toBe('too_many_holds')
    expect((await k.clients.other.post(`/events/${k.event.slug}/resale/${listingId}/buy`)).status).toBe(429)
    expect((await k.listingRow(listingId)).status).toBe('active')
    // someone else may still hold it
    expect((await k.hold(listingId)).res.status).toBe(201)
  })

  it('refuses bad input with 4xx and changes nothing', async () => {
    const k = await resaleKit(db)
    const listingId = await k.listOk(CAP)
    expect((await k.hold(crypto.randomUUID())).res.status).toBe(404)
    expect((await k.clients.anonymous.postJson('/api/v1/listings/not-a-uuid/purchase', {})).status).toBe(404)
    // the seller cannot buy their own listing
    const own = await k.clients.seller.postJson(`/api/v1/listings/${listingId}/purchase`, {})
    expect(own.status).toBe(409)
    const { body: hold } = await k.hold(listingId)
    const badPhone = await k.pay(hold!, '12345')
    expect(badPhone.res.status).toBe(422)
    const wrongToken = await k.kit.app.request(`/api/v1/reservations/${hold!.id}/payments`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer wrong' }, body: JSON.stringify({ phone: SIMULATOR_PHONES.success }),
    })
    expect(wrongToken.status).toBe(404)
    expect(await asSystem(db, (trx) => trx.selectFrom('transactions').select('id').where('event_id', '=', k.event.id).where('transaction_type', '=', 'resale').execute())).toEqual([])
    expect((await k.listingRow(listingId)).status).toBe('active')
    expect((await k.ticketRow()).user_id).toBe(k.seller.id)
  })

  it('buys through the pages: the event page’s Buy holds the listing, the hold page pays it', async () => {
    const k = await resaleKit(db)
    const listingId = await k.listOk(CAP)
    const buyer = k.clients.other
    const held = await buyer.post(`/events/${k.event.slug}/resale/${listingId}/buy`)
    expect(held.status).toBe(303)
    const holdPath = held.headers.get('location')!
    const page = await (await buyer.get(holdPath)).text()
    expect(page).toContain('KES 1,200')
    expect(page).toContain('Regular')
    // another buyer meanwhile is told it is being bought
    const other = await k.clients.anonymous.post(`/events/${k.event.slug}/resale/${listingId}/buy`)
    expect(other.status).toBe(409)
    expect(await other.text()).toContain('Someone else is buying this ticket')
    expect(await (await k.clients.anonymous.get(`/events/${k.event.slug}`)).text()).toContain('Being bought')
    const pay = await buyer.post(`${holdPath}/pay`, { phone: '0700000000' })
    expect(pay.status).toBe(303)
    await k.kit.sim.settle()
    expect((await k.ticketRow()).user_id).not.toBe(k.seller.id)
    expect(await (await buyer.get('/tickets')).text()).toContain(k.event.title)
  })
})

describe('the split of a resale price', () => {
  it('pays the seller whole shillings (B2C sends no cents) and gives the cents left over to the organiser', () => {
    // KES 1,234 at 5 % commission (61.70) and a 10 % organiser fee (123.40): 1,048.90 owed, 1,048 paid out
    expect(resaleSplit(123_400, 6_170, 10)).toEqual({ fee: 12_430, payout: 104_800 })
    expect(resaleSplit(120_000, 6_000, 10)).toEqual({ fee: 12_000, payout: 102_000 })
    expect(resaleSplit(123_450, 6_173, 0)).toEqual({ fee: 77, payout: 117_200 })
    for (const [price, commission, pct] of [[123_400, 6_170, 10], [99_999, 5_000, 7], [150_000, 0, 50]] as const) {
      const { fee, payout } = resaleSplit(price, commission, pct)
      expect(commission + fee + payout).toBe(price)
      expect(payout % 100).toBe(0)
    }
  })
})
