/**
 * An event cancelled after a resale: the resale buyer's payment goes back in full, and the seller's own order
 * goes back less the seat they sold on (they had that money from the buyer already), so the organiser never
 * refunds one seat twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
import { purchase } from '../support/purchases.ts'
import { CAP, FACE, resaleKit } from './resale-kit.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
}, 60_000)
afterAll(() => db.destroy())

describe('cancelling an event after a resale', () => {
  it('refunds the resale buyer their price and the seller their order less the seat they sold', async () => {
    const k = await resaleKit(db)
    const order = await purchase(k.kit, db, k.event.id, k.type.id, { quantity: 2, pay: 'now', userId: k.seller.id })
    const [sold, kept] = await asSystem(db, (trx) => trx.selectFrom('tickets').select('id')
      .where('transaction_id', '=', order.paymentId!).orderBy('id').execute())
    const listed = await k.list(CAP, {}, k.clients.seller, sold!.id)
    expect(listed.status).toBe(201)
    const listingId = (await listed.json() as { id: string }).id
    expect(await k.listingRow(listingId)).toMatchObject({ seller_transaction_id: order.paymentId, seller_paid_minor: FACE })
    const { body: hold } = await k.hold(listingId)
    const resale = await k.pay(hold!)
    expect(await k.paymentRow(resale.paymentId!)).toMatchObject({ transaction_type: 'resale', status: 'completed', amount_minor: CAP })

    const res = await k.clients.manager.post(`/manage/events/${k.event.id}/status`, { status: 'cancelled' })
    expect(res.status).toBe(303)
    const refundOfOrder = await k.refundsOf(order.paymentId!)
    expect(refundOfOrder.map((refund) => refund.amount_minor)).toEqual([FACE])
    expect((await k.refundsOf(resale.paymentId!)).map((refund) => refund.amount_minor)).toEqual([CAP])
    // the seller's first ticket (bought by the kit without a payment) has nothing to refund; the kept seat is cancelled
    const seats = await asSystem(db, (trx) => trx.selectFrom('tickets').select(['id', 'status']).where('id', 'in', [sold!.id, kept!.id]).orderBy('id').execute())
    expect(seats.map((seat) => seat.status)).toEqual(['cancelled', 'cancelled'])
  })

  it('refunds the whole order when nothing of it was sold on', async () => {
    const k = await resaleKit(db)
    const order = await purchase(k.kit, db, k.event.id, k.type.id, { quantity: 2, pay: 'now', userId: k.seller.id })
    const [ticket] = await asSystem(db, (trx) => trx.selectFrom('tickets').select('id').where('transaction_id', '=', order.paymentId!).execute())
    // listed, then withdrawn: not sold, so it counts for nothing
    const listingId = (await (await k.list(CAP, {}, k.clients.seller, ticket!.id)).json() as { id: string }).id
    expect((await k.clients.seller.delete(`/api/v1/listings/${listingId}`)).status).toBe(200)
    expect((await k.clients.manager.post(`/manage/events/${k.event.id}/status`, { status: 'cancelled' })).status).toBe(303)
    expect((await k.refundsOf(order.paymentId!)).map((refund) => refund.amount_minor)).toEqual([2 * FACE])
  })
})
