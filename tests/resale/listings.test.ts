/** Listing a ticket for resale and withdrawing it: the cap, who may, when, and what a refusal leaves unchanged. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { MINUTE, ORIGIN } from '../support/client.ts'
import { toNairobiLocal } from '../../src/lib/nairobi-time.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem } from '../support/fixtures.ts'
import { CAP, FACE, resaleKit } from './resale-kit.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
}, 60_000)
afterAll(() => db.destroy())

type Kit = Awaited<ReturnType<typeof resaleKit>>

describe('listing a ticket', () => {
  let k: Kit
  beforeAll(async () => {
    k = await resaleKit(db)
  }, 60_000)

  it('refuses a price above the cap with the cap in words, and lists nothing', async () => {
    const res = await k.list(CAP + 100)
    expect(res.status).toBe(422)
    const body = await res.json() as { error: { code: string; message: string } }
    expect(body.error.code).toBe('over_cap')
    expect(body.error.message).toContain('the most this ticket may be listed for is KES 1,200')
    const sw = await k.clients.seller.postJson(`/api/v1/tickets/${k.ticket.id}/listings`, { priceMinor: CAP + 100 }, { 'accept-language': 'sw' })
    expect((await sw.json() as { error: { message: string } }).error.message).toMatch(/kikomo.*1,200/)
    expect(await k.listings()).toEqual([])
  })

  it('refuses bad input with 4xx and lists nothing', async () => {
    expect((await k.list(CAP - 50)).status).toBe(422) // not whole shillings
    expect((await k.list(0)).status).toBe(422)
    expect((await k.list(1.5 as number)).status).toBe(422)
    expect((await k.list(FACE, { payoutPhone: '12345' })).status).toBe(422)
    expect((await k.clients.seller.postJson(`/api/v1/tickets/${k.ticket.id}/listings`, { price: 'lots' })).status).toBe(422)
    const notJson = await k.kit.app.request(`/api/v1/tickets/${k.ticket.id}/listings`, { method: 'POST', body: 'priceMinor=1', headers: { 'content-type': 'text/plain', origin: ORIGIN, cookie: cookieOf(k) } })
    expect(notJson.status).toBe(415)
    expect(await k.listings()).toEqual([])
  })

  it('is only for the owner: anyone else, and an unknown ticket, get 404', async () => {
    expect((await k.list(FACE, {}, k.clients.other)).status).toBe(404)
    expect((await k.list(FACE, {}, k.clients.anonymous)).status).toBe(404)
    expect((await k.list(FACE, {}, k.clients.seller, crypto.randomUUID())).status).toBe(404)
    expect((await k.clients.other.post(`/tickets/${k.ticket.id}/listings`, { price: '1000' })).status).toBe(404)
    expect(await k.listings()).toEqual([])
  })

  it('lists at the cap with the seller’s confirmed phone by default; a second listing is refused', async () => {
    const res = await k.list(CAP)
    expect(res.status).toBe(201)
    const listing = await res.json() as { id: string; status: string; capMinor: number; payoutPhone: string }
    expect(listing).toMatchObject({ status: 'active', capMinor: CAP, priceMinor: CAP })
    expect(listing.payoutPhone).toMatch(/^07\d\d ••• \d{3}$/)
    expect((await k.listingRow(listing.id)).payout_phone).toBe(k.sellerPhone.wa)
    expect((await k.list(FACE)).status).toBe(409)
    // the wallet says so, the QR still shows (a listed ticket admits its seller), and no transfer is offered
    const wallet = await (await k.clients.seller.get('/tickets')).text()
    expect(wallet).toContain('Listed for resale at KES 1,200')
    expect(wallet).toContain('class="qr"')
    expect(wallet).toContain('listed for resale. Withdraw the listing to transfer it')
    // the event page and the resale page offer it
    const page = await (await k.clients.anonymous.get(`/events/${k.event.slug}`)).text()
    expect(page).toContain('Resale tickets')
    expect(page).toContain(`/events/${k.event.slug}/resale/${listing.id}/buy`)
    expect(await (await k.clients.anonymous.get(`/events/${k.event.slug}/resale`)).text()).toContain('KES 1,200')
    const api = await (await k.clients.anonymous.get(`/api/v1/events/${k.event.id}/listings`)).json() as { listings: Array<{ id: string; priceMinor: number; held: boolean }> }
    expect(api.listings).toEqual([expect.objectContaining({ id: listing.id, priceMinor: CAP, held: false })])
    // a transfer is refused while it is listed
    expect((await k.clients.seller.postJson(`/api/v1/tickets/${k.ticket.id}/transfers`, { to: '0712000999' })).status).toBe(409)
  })

  it('withdraws: not by anyone else, not while a buyer holds it, and then the ticket is as before', async () => {
    const [listing] = (await k.listings()).filter((row) => row.status === 'active')
    expect((await k.clients.other.delete(`/api/v1/listings/${listing!.id}`)).status).toBe(404)
    const { res, body } = await k.hold(listing!.id)
    expect(res.status).toBe(201)
    const held = await k.clients.seller.delete(`/api/v1/listings/${listing!.id}`)
    expect(held.status).toBe(409)
    expect((await held.json() as { error: { code: string } }).error.code).toBe('listing_held')
    expect((await k.clients.seller.post(`/listings/${listing!.id}/withdraw`)).status).toBe(409)
    expect((await k.listingRow(listing!.id)).status).toBe('active')
    // a second buyer cannot hold it either
    expect((await k.hold(listing!.id)).res.status).toBe(409)
    // the buyer lets the hold go: now the seller may withdraw
    expect((await k.kit.app.request(`/api/v1/reservations/${body!.id}`, { headers: { authorization: `Bearer ${body!.token}` } })).status).toBe(200)
    await asSystem(db, (trx) => trx.updateTable('reservations').set({ status: 'cancelled' }).where('id', '=', body!.id).execute())
    const withdrawn = await k.clients.seller.delete(`/api/v1/listings/${listing!.id}`)
    expect(withdrawn.status).toBe(200)
    expect(await withdrawn.json()).toMatchObject({ status: 'cancelled' })
    expect((await k.listingRow(listing!.id)).end_reason).toBe('withdrawn')
    expect((await k.clients.seller.delete(`/api/v1/listings/${listing!.id}`)).status).toBe(409)
    expect((await k.hold(listing!.id)).res.status).toBe(409)
  })

  it('lists and withdraws from the wallet’s forms', async () => {
    const listed = await k.clients.seller.post(`/tickets/${k.ticket.id}/listings`, { price: '1,100', phone: '0711 222 333' })
    expect(listed.status).toBe(303)
    expect(listed.headers.get('location')).toBe('/tickets?notice=listed')
    const [listing] = (await k.listings()).filter((row) => row.status === 'active')
    expect(listing).toMatchObject({ listing_price_minor: 110_000, payout_phone: '254711222333', max_price_minor: CAP })
    const over = await k.clients.seller.post(`/tickets/${k.ticket.id}/listings`, { price: '5000' })
    expect(over.status).toBe(409) // already listed
    const withdrawn = await k.clients.seller.post(`/listings/${listing!.id}/withdraw`)
    expect(withdrawn.status).toBe(303)
    const above = await k.clients.seller.post(`/tickets/${k.ticket.id}/listings`, { price: '1201' })
    expect(above.status).toBe(422)
    expect(await above.text()).toContain('KES 1,200')
  })

  it('shows the manager the event’s listings; another organiser’s manager sees nothing', async () => {
    const page = await k.clients.manager.get(`/manage/events/${k.event.id}/resale`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('Withdrawn')
    expect(html).toContain('KES 1,100')
    expect((await k.clients.foreignManager.get(`/manage/events/${k.event.id}/resale`)).status).toBe(404)
    expect((await k.clients.foreignManager.delete(`/api/v1/listings/${(await k.listings())[0]!.id}`)).status).toBe(404)
  })
})

describe('what may not be listed', () => {
  it('a used ticket, one with a transfer open, an event without resale, a started or cancelled event: 409, nothing listed', async () => {
    const k = await resaleKit(db)
    // a transfer in progress
    const started = await k.clients.seller.postJson(`/api/v1/tickets/${k.ticket.id}/transfers`, { to: '0712000998' })
    expect(started.status).toBe(201)
    const open = await k.list(FACE)
    expect(open.status).toBe(409)
    expect((await open.json() as { error: { code: string } }).error.code).toBe('transfer_pending')
    const transfer = await started.json() as { id: string }
    expect((await k.clients.seller.postJson(`/api/v1/transfers/${transfer.id}/cancel`, {})).status).toBe(200)
    // resale off
    await asSystem(db, (trx) => trx.updateTable('events').set({ allow_resale: false }).where('id', '=', k.event.id).execute())
    expect((await (await k.list(FACE)).json() as { error: { code: string } }).error.code).toBe('resale_not_allowed')
    expect((await k.clients.anonymous.get(`/events/${k.event.slug}/resale`)).status).toBe(404)
    await asSystem(db, (trx) => trx.updateTable('events').set({ allow_resale: true }).where('id', '=', k.event.id).execute())
    // started
    await asSystem(db, (trx) => trx.updateTable('events').set({ starts_at: new Date(Date.now() - MINUTE) }).where('id', '=', k.event.id).execute())
    expect((await (await k.list(FACE)).json() as { error: { code: string } }).error.code).toBe('event_started')
    await asSystem(db, (trx) => trx.updateTable('events').set({ starts_at: new Date(Date.now() + 7 * 24 * 60 * MINUTE) }).where('id', '=', k.event.id).execute())
    // used: the seller goes in
    const ticket = await k.ticketRow()
    expect((await k.scan(ticket.qr_code!)).result).toBe('valid')
    expect((await (await k.list(FACE)).json() as { error: { code: string } }).error.code).toBe('ticket_used')
    expect(await k.listings()).toEqual([])
  })

  it('a cancelled event ends its listings', async () => {
    const k = await resaleKit(db)
    const id = await k.listOk()
    const res = await k.clients.manager.post(`/manage/events/${k.event.id}/status`, { status: 'cancelled' })
    expect(res.status).toBe(303)
    expect(await k.listingRow(id)).toMatchObject({ status: 'cancelled', end_reason: 'event_cancelled' })
    expect((await (await k.list(FACE)).json() as { error: { code: string } }).error.code).toBe('ticket_not_active')
  })
})

describe('the organiser’s resale fee', () => {
  it('is a whole percentage from 0 to 50 on the event form', async () => {
    const k = await resaleKit(db)
    // a start on the minute, as the form shows it: the same start is no postponement
    const start = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 7 * 24 * 60 * MINUTE)
    await asSystem(db, (trx) => trx.updateTable('events').set({ starts_at: start }).where('id', '=', k.event.id).execute())
    const form = {
      title: 'Resale night', description: '', startsAt: toNairobiLocal(start), endsAt: '', venueName: 'Hall', venueAddress: '', venueCity: 'Nairobi',
      latitude: '', longitude: '', totalCapacity: '10', holdMinutes: '10', terms: '', allowTransfers: 'on', allowResale: 'on',
      maxTransfers: '2', transferFee: '0', resalePriceCapPct: '120',
    }
    for (const bad of ['51', '-1', '7.5', 'ten']) {
      const res = await k.clients.manager.post(`/manage/events/${k.event.id}`, { ...form, resaleFeePct: bad })
      expect(res.status, bad).toBe(422)
      expect(await res.text()).toContain('from 0 to 50')
    }
    expect((await asSystem(db, (trx) => trx.selectFrom('events').select('resale_fee_pct').where('id', '=', k.event.id).executeTakeFirstOrThrow())).resale_fee_pct).toBe(10)
    expect((await k.clients.manager.post(`/manage/events/${k.event.id}`, { ...form, resaleFeePct: '15' })).status).toBe(303)
    expect((await asSystem(db, (trx) => trx.selectFrom('events').select('resale_fee_pct').where('id', '=', k.event.id).executeTakeFirstOrThrow())).resale_fee_pct).toBe(15)
    expect(await (await k.clients.manager.get(`/manage/events/${k.event.id}`)).text()).toContain('name="resaleFeePct"')
  })
})

function cookieOf(k: Kit) {
  return [...k.clients.seller.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
}
