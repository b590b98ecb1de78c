/**
 * The ticket owners' API (transfers and resale listings) for tickets bought through the API: the reservation's
 * bearer token acts on that reservation's tickets, while they are its buyer's, and on nothing else; a guest's
 * private-link session acts as the guest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount } from '../support/fixtures.ts'
import { JSON_HEADERS } from '../support/payments.ts'
import { purchase, signIn } from '../support/purchases.ts'
import { freshPhone } from '../support/ticket-owner-world.ts'
import { feeKit } from './fee-kit.ts'
import { codeSentTo, linkSentTo, messageTo } from './transfer-kit.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
}, 60_000)
afterAll(() => db.destroy())

async function boughtThroughApi(db: Database) {
  const k = await feeKit(db, { fee: 0 })
  await asSystem(db, (trx) => trx.updateTable('events').set({ allow_resale: true, resale_price_cap_pct: 120, resale_fee_pct: 10 })
    .where('id', '=', k.event.id).execute())
  const buyer = freshPhone()
  const buy = async () => {
    const bought = await purchase(k.kit, db, k.event.id, k.type.id, { pay: 'prompt', phone: buyer.wa })
    await k.kit.sim.answer(bought.checkoutRequestId!, 0)
    await k.kit.sim.settle()
    const [ticket] = await asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('reservation_id', '=', bought.reservationId).execute())
    return { ...bought, ticket: ticket! }
  }
  // two orders by the same guest (the same paying phone): one owner, two tokens
  const a = await buy()
  const b = await buy()
  expect(a.ticket.user_id).toBe(b.ticket.user_id)
  const call = (method: string, path: string, token: string | undefined, body?: unknown) => k.kit.app.request(path, {
    method, headers: { ...JSON_HEADERS, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { k, buyer, a, b, call }
}

describe('the reservation’s bearer token for the tickets it bought', () => {
  it('starts, confirms, follows and completes a transfer of its own ticket; never another reservation’s', async () => {
    const { k, buyer, a, b, call } = await boughtThroughApi(db)
    const beforeB = await asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('id', '=', b.ticket.id).executeTakeFirstOrThrow())
    // A's token on B's ticket (the same owner): 404, nothing changed
    const foreign = await call('POST', `/api/v1/tickets/${b.ticket.id}/transfers`, a.token, { to: k.recipient.local })
    expect(foreign.status).toBe(404)
    expect(await asSystem(db, (trx) => trx.selectFrom('transfers').select('id').where('ticket_id', '=', b.ticket.id).execute())).toEqual([])
    expect(await asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('id', '=', b.ticket.id).executeTakeFirstOrThrow())).toEqual(beforeB)
    // no token, a malformed one, a made-up one: 404
    for (const token of [undefined, 'short', 'x'.repeat(43)]) {
      expect((await call('POST', `/api/v1/tickets/${a.ticket.id}/transfers`, token, { to: k.recipient.local })).status).toBe(404)
    }

    const started = await call('POST', `/api/v1/tickets/${a.ticket.id}/transfers`, a.token, { to: k.recipient.local })
    expect(started.status).toBe(201)
    const id = (await started.json() as { id: string }).id
    expect((await call('GET', `/api/v1/transfers/${id}`, b.token)).status).toBe(404)
    expect((await call('POST', `/api/v1/transfers/${id}/cancel`, b.token)).status).toBe(404)
    const code = await codeSentTo(db, buyer.wa, k.kit.ring)
    expect((await call('POST', `/api/v1/transfers/${id}/confirm`, b.token, { code })).status).toBe(404)
    const confirmed = await call('POST', `/api/v1/transfers/${id}/confirm`, a.token, { code })
    expect(confirmed.status).toBe(200)
    expect(await confirmed.json()).toMatchObject({ id, status: 'pending', confirmed: true, fee: null })
    const link = await linkSentTo(db, k.recipient.wa, k.kit.ring)
    const recipientCode = await codeSentTo(db, k.recipient.wa, k.kit.ring)
    expect((await call('POST', `/api/v1/transfers/${id}/accept`, undefined, { link, code: recipientCode })).status).toBe(200)
    expect(await (await call('GET', `/api/v1/transfers/${id}`, a.token)).json()).toMatchObject({ status: 'completed' })
    // the ticket is the recipient's now: A's token no longer acts on it
    expect((await call('POST', `/api/v1/tickets/${a.ticket.id}/transfers`, a.token, { to: freshPhone().local })).status).toBe(404)
    expect((await call('POST', `/api/v1/tickets/${a.ticket.id}/listings`, a.token, { priceMinor: 100_000, payoutPhone: buyer.local })).status).toBe(404)
    // and the reservation's own answer no longer hands out the recipient's new code
    const held = await (await call('GET', `/api/v1/reservations/${a.reservationId}`, a.token)).json() as { tickets: Array<{ id: string; code: string | null }> }
    const newCode = (await asSystem(db, (trx) => trx.selectFrom('tickets').select('qr_code').where('id', '=', a.ticket.id).executeTakeFirstOrThrow())).qr_code
    expect(newCode).not.toBeNull()
    expect(held.tickets).toEqual([expect.objectContaining({ id: a.ticket.id, code: null })])
    // B's order, never transferred, still shows its code
    const other = await (await call('GET', `/api/v1/reservations/${b.reservationId}`, b.token)).json() as { tickets: Array<{ code: string | null }> }
    expect(other.tickets[0]!.code).toBe(beforeB.qr_code)
  })

  it('lists and withdraws its own ticket for resale; another reservation’s token cannot touch the listing', async () => {
    const { buyer, a, b, call } = await boughtThroughApi(db)
    expect((await call('POST', `/api/v1/tickets/${b.ticket.id}/listings`, a.token, { priceMinor: 100_000, payoutPhone: buyer.local })).status).toBe(404)
    const listed = await call('POST', `/api/v1/tickets/${b.ticket.id}/listings`, b.token, { priceMinor: 100_000, payoutPhone: buyer.local })
    expect(listed.status).toBe(201)
    const listing = await listed.json() as { id: string; status: string; ticketId: string }
    expect(listing).toMatchObject({ status: 'active', ticketId: b.ticket.id })
    expect((await call('DELETE', `/api/v1/listings/${listing.id}`, a.token)).status).toBe(404)
    expect((await call('DELETE', `/api/v1/listings/${listing.id}`, undefined)).status).toBe(404)
    expect(await asSystem(db, (trx) => trx.selectFrom('marketplace_listings').select('status').where('id', '=', listing.id).executeTakeFirstOrThrow()))
      .toEqual({ status: 'active' })
    const withdrawn = await call('DELETE', `/api/v1/listings/${listing.id}`, b.token)
    expect(withdrawn.status).toBe(200)
    expect(await withdrawn.json()).toMatchObject({ status: 'cancelled' })
    // bad input with the right token: a clear 4xx, nothing listed
    expect((await call('POST', `/api/v1/tickets/${b.ticket.id}/listings`, b.token, { priceMinor: 500_000, payoutPhone: buyer.local })).status).toBe(422)
    expect(await asSystem(db, (trx) => trx.selectFrom('marketplace_listings').select('status').where('ticket_id', '=', b.ticket.id).execute()))
      .toEqual([{ status: 'cancelled' }])
  })

  it('an unpaid hold’s token acts on nothing; the guest’s private-link session acts as the guest', async () => {
    const { k, buyer, a } = await boughtThroughApi(db)
    const held = await purchase(k.kit, db, k.event.id, k.type.id, { pay: 'none' })
    const res = await k.kit.app.request(`/api/v1/tickets/${a.ticket.id}/transfers`, {
      method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${held.token}` }, body: JSON.stringify({ to: k.recipient.local }),
    })
    expect(res.status).toBe(404)
    // the delivery message's single-use link signs the guest in: that session is the owner's
    const { text } = await messageTo(db, 'ticket_delivery', buyer.wa, k.kit.ring)
    const secret = /\/tickets\/open\/([A-Za-z0-9_-]+)/.exec(text)![1]!
    const guest = new TestClient(k.kit.app)
    expect((await guest.post(`/tickets/open/${secret}`, {})).status).toBe(303)
    const started = await guest.postJson(`/api/v1/tickets/${a.ticket.id}/transfers`, { to: k.recipient.local })
    expect(started.status).toBe(201)
    // a bearer token sent with that session is judged alone: another reservation's does not borrow the session
    const id = (await started.json() as { id: string }).id
    const mixed = await guest.get(`/api/v1/transfers/${id}`, { authorization: `Bearer ${held.token}` })
    expect(mixed.status).toBe(404)
    expect((await guest.get(`/api/v1/transfers/${id}`)).status).toBe(200)
  })

  it('a guest who claims their tickets into an account takes their transfers and listings along: the account carries them on', async () => {
    const { k, buyer, a, b, call } = await boughtThroughApi(db)
    const started = await call('POST', `/api/v1/tickets/${a.ticket.id}/transfers`, a.token, { to: k.recipient.local })
    const transferId = (await started.json() as { id: string }).id
    const senderCode = await codeSentTo(db, buyer.wa, k.kit.ring)
    const listed = await call('POST', `/api/v1/tickets/${b.ticket.id}/listings`, b.token, { priceMinor: 100_000, payoutPhone: buyer.local })
    const listingId = (await listed.json() as { id: string }).id
    // the guest's phone is confirmed on an account: the tickets move, and what the guest started with them
    const account = await createAccount(db)
    const browser = await signIn(k.kit, account)
    expect((await browser.get(`/api/v1/transfers/${transferId}`)).status).toBe(404)
    expect((await browser.post('/account/phone', { phone: buyer.local })).status).toBe(200)
    const { text } = await messageTo(db, 'verification_code', buyer.wa, k.kit.ring)
    const code = /\b(\d{6})\b/.exec(text)![1]!
    expect((await browser.post('/account/phone/verify', { code })).headers.get('location')).toBe('/account?notice=phoneVerified&claimed=2')
    const rows = await asSystem(db, async (trx) => ({
      tickets: await trx.selectFrom('tickets').select('user_id').where('id', 'in', [a.ticket.id, b.ticket.id]).execute(),
      transfer: await trx.selectFrom('transfers').select(['from_user_id', 'status']).where('id', '=', transferId).executeTakeFirstOrThrow(),
      listing: await trx.selectFrom('marketplace_listings').select('seller_id').where('id', '=', listingId).executeTakeFirstOrThrow(),
    }))
    expect(rows.tickets).toEqual([{ user_id: account.id }, { user_id: account.id }])
    expect(rows.transfer).toEqual({ from_user_id: account.id, status: 'pending' })
    expect(rows.listing).toEqual({ seller_id: account.id })
    // the account sees and finishes them
    expect(await (await browser.get('/tickets')).text()).toContain(`Being transferred to ${k.recipient.local.slice(0, 4)}`)
    expect((await browser.get(`/api/v1/transfers/${transferId}`)).status).toBe(200)
    expect((await browser.postJson(`/api/v1/transfers/${transferId}/confirm`, { code: senderCode })).status).toBe(200)
    expect(await k.recipientMessages('transfer_received')).toHaveLength(1)
    const withdrawn = await browser.delete(`/api/v1/listings/${listingId}`)
    expect(withdrawn.status).toBe(200)
  })
})
