/**
 * The waiting list of a sold-out ticket type: sign-up (checked, once per person), the offer of tickets that
 * come back through the outbox, taking it up in one browser (which may then hold, queue or not), its expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { expireHolds } from '../../src/jobs/expire-holds.ts'
import { postgresScheduler } from '../../src/jobs/scheduler.ts'
import type { BackgroundServices } from '../../src/services.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { ANONYMOUS, withContext } from '../../src/db/request-context.ts'
import { asSystem, createEvent, createTenant, lastMessageTo } from '../support/fixtures.ts'

let db: Database
let clock: TestClock
let app: ReturnType<typeof createTestApp>['app']
const JOB_SERVICES: BackgroundServices = { daraja: {}, get scheduler() { return postgresScheduler(db) } }

beforeAll(async () => {
  db = await openTestDatabase()
  clock = new TestClock()
  ;({ app } = createTestApp(db, { now: clock.now }))
})
afterAll(() => db.destroy())

/** An event whose one Regular ticket is held by someone, and a VIP type still on sale. */
async function soldOutSale() {
  const tenant = await createTenant(db)
  const { event, ticketTypes } = await createEvent(db, tenant.id, {
    ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 1 }, { name: 'VIP', price_minor: 500_000, capacity: 5 }],
  })
  const [regular, vip] = ticketTypes as [typeof ticketTypes[0], typeof ticketTypes[0]]
  const holder = new TestClient(app)
  expect((await holder.post(`/events/${event.slug}/reserve`, { [`qty_${regular.id}`]: '1' })).status).toBe(303)
  return { event, regular, vip }
}

const entriesOf = (eventId: string) => asSystem(db, (trx) => trx.selectFrom('waiting_list_entries')
  .select(['id', 'email', 'phone', 'status', 'offered_until']).where('event_id', '=', eventId).orderBy('seq').execute())

const sweep = () => expireHolds(db, {}, clock.current, JOB_SERVICES)

function offerLink(body: string): string {
  const match = /https?:\/\/[^\s]+(\/waiting-list\/[0-9a-f-]{36}\/[A-Za-z0-9_-]{43})/.exec(body)
  if (!match) throw new Error(`no offer link in: ${body}`)
  return match[1]!
}

describe('the waiting list', () => {
  it('is offered on the event page of a sold-out type, and refuses bad sign-ups with a clear message', async () => {
    const { event, regular, vip } = await soldOutSale()
    expect(await (await app.request(`/events/${event.slug}`)).text()).toContain(`/events/${event.slug}/waiting-list`)
    const page = await (await app.request(`/events/${event.slug}/waiting-list`)).text()
    expect(page).toContain(`value="${regular.id}"`)
    expect(page).not.toContain(`value="${vip.id}"`)

    const buyer = new TestClient(app)
    const bad = await buyer.post(`/events/${event.slug}/waiting-list`, { ticketTypeId: regular.id, contact: 'not a phone' })
    expect(bad.status).toBe(422)
    expect(await bad.text()).toContain('Enter an email address or a Kenyan phone number')
    const onSale = await buyer.post(`/events/${event.slug}/waiting-list`, { ticketTypeId: vip.id, contact: 'amina@example.test' })
    expect(onSale.status).toBe(422)
    expect(await onSale.text()).toContain('That ticket type is not sold out')
    const badType = await buyer.post(`/events/${event.slug}/waiting-list`, { ticketTypeId: 'x', contact: 'amina@example.test' })
    expect(badType.status).toBe(422)
    expect(await entriesOf(event.id)).toEqual([])

    const swahili = await buyer.post(`/events/${event.slug}/waiting-list?lang=sw`, { ticketTypeId: regular.id, contact: '???' })
    expect(await swahili.text()).toContain('Weka barua pepe au namba ya simu ya Kenya')
  })

  it('offers a ticket that comes back to the first person, whose link lets that browser hold, once', async () => {
    const { event, regular } = await soldOutSale()
    const email = `first-${crypto.randomUUID().slice(0, 8)}@example.test`
    const first = new TestClient(app)
    const joined = await first.post(`/events/${event.slug}/waiting-list`, { ticketTypeId: regular.id, contact: email })
    expect(joined.status).toBe(303)
    expect(await (await first.get(joined.headers.get('location')!)).text()).toContain('You are on the waiting list')
    await first.post(`/events/${event.slug}/waiting-list`, { ticketTypeId: regular.id, contact: email.toUpperCase() })
    await new TestClient(app).post(`/events/${event.slug}/waiting-list`, { ticketTypeId: regular.id, contact: '0712 345 678' })
    expect((await entriesOf(event.id)).map((row) => [row.email, row.phone, row.status]))
      .toEqual([[email, null, 'waiting'], [null, '254712345678', 'waiting']])

    // nothing came back yet: nobody is offered anything
    await sweep()
    expect((await entriesOf(event.id)).map((row) => row.status)).toEqual(['waiting', 'waiting'])
    // the hold runs out: the one ticket goes to the first person only
    clock.advance(10 * MINUTE)
    await sweep()
    expect((await entriesOf(event.id)).map((row) => row.status)).toEqual(['offered', 'waiting'])
    await sweep() // a second sweep offers nothing more while the offer stands
    expect((await entriesOf(event.id)).map((row) => row.status)).toEqual(['offered', 'waiting'])
    const message = await lastMessageTo(db, email)
    expect(message).toMatchObject({ type: 'waiting_list_offer', channel: 'email' })
    const link = offerLink(message!.content.body)
    expect(message!.content.subject).toContain(event.title)

    expect((await app.request(link.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')))).status).toBe(404)
    const offerPage = await first.get(link)
    expect(offerPage.status).toBe(200)
    expect(await offerPage.text()).toContain('came back for you')

    // the sale turns to a queue meanwhile: the offer still lets this browser hold, without queueing
    await asSystem(db, (trx) => trx.updateTable('events').set({ high_demand: true }).where('id', '=', event.id).execute())
    const stranger = new TestClient(app)
    expect((await stranger.post(`/events/${event.slug}/reserve`, { [`qty_${regular.id}`]: '1' })).headers.get('location')).toContain('/queue')
    const claimed = await first.post(link)
    expect(claimed.status).toBe(303)
    expect(claimed.headers.get('location')).toBe(`/events/${event.slug}`)
    const held = await first.post(`/events/${event.slug}/reserve`, { [`qty_${regular.id}`]: '1' })
    expect(held.headers.get('location')).toMatch(/^\/reservations\//)
    expect((await first.post(link)).status).toBe(410)
    expect((await entriesOf(event.id)).map((row) => row.status)).toEqual(['claimed', 'waiting'])
  })

  it('lets an offer lapse after its time and offers the ticket to the next person', async () => {
    const { event, regular } = await soldOutSale()
    const email = `late-${crypto.randomUUID().slice(0, 8)}@example.test`
    await new TestClient(app).post(`/events/${event.slug}/waiting-list`, { ticketTypeId: regular.id, contact: email })
    await new TestClient(app).post(`/events/${event.slug}/waiting-list`, { ticketTypeId: regular.id, contact: '0799 000 111' })
    clock.advance(10 * MINUTE)
    await sweep()
    const link = offerLink((await lastMessageTo(db, email))!.content.body)
    clock.advance(31 * MINUTE)
    await sweep()
    expect((await entriesOf(event.id)).map((row) => row.status)).toEqual(['lapsed', 'offered'])
    expect(await lastMessageTo(db, '254799000111')).toMatchObject({ type: 'waiting_list_offer', channel: 'whatsapp' })
    const gone = await new TestClient(app).get(link)
    expect(gone.status).toBe(404) // the lapsed offer's secret is forgotten
  })

  it('lets anyone add themselves to a published event’s list, but read nobody back, nor write into a draft or another tenant', async () => {
    const { event, regular } = await soldOutSale()
    const other = await createTenant(db)
    const draft = await createEvent(db, other.id, { status: 'draft' })
    const row = (tenantId: string, eventId: string, typeId: string) => ({
      tenant_id: tenantId, event_id: eventId, ticket_type_id: typeId, email: `${crypto.randomUUID()}@example.test`, origin: 'http://localhost',
    })
    await withContext(db, ANONYMOUS, (trx) => trx.insertInto('waiting_list_entries').values(row(event.tenant_id, event.id, regular.id)).execute())
    expect(await withContext(db, ANONYMOUS, (trx) => trx.selectFrom('waiting_list_entries').select('id').execute())).toEqual([])
    await expect(withContext(db, ANONYMOUS, (trx) => trx.insertInto('waiting_list_entries')
      .values(row(other.id, event.id, regular.id)).execute())).rejects.toThrow(/row-level security/)
    await expect(withContext(db, ANONYMOUS, (trx) => trx.insertInto('waiting_list_entries')
      .values(row(other.id, draft.event.id, draft.ticketTypes[0]!.id)).execute())).rejects.toThrow(/row-level security/)
    expect(await entriesOf(event.id)).toHaveLength(1)
  })
})
