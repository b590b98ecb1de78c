import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant, DAY, holdTickets, unique } from '../support/fixtures.ts'

let db: Database
let clock: TestClock
let app: ReturnType<typeof createTestApp>['app']
let event: Awaited<ReturnType<typeof createEvent>>
const city = unique('Kisumu')

beforeAll(async () => {
  db = await openTestDatabase()
  clock = new TestClock()
  ;({ app } = createTestApp(db, { now: clock.now }))
  const tenant = await createTenant(db)
  event = await createEvent(db, tenant.id, {
    title: unique('Lake Festival'),
    ticketTypes: [
      { name: 'Regular', price_minor: 150_000, capacity: 20, sold: 8 },
      { name: 'Early Bird', price_minor: 100_000, capacity: 5 },
    ],
  })
  await asSystem(db, (trx) => trx.updateTable('events').set({ venue_city: city }).where('id', '=', event.event.id).execute())
  // Early Bird opens in 3 days
  await asSystem(db, (trx) => trx.updateTable('ticket_types').set({ sales_start: new Date(clock.current.getTime() + 3 * DAY) })
    .where('id', '=', event.ticketTypes[1]!.id).execute())
})
afterAll(() => db.destroy())

function hold(count: number, minutes: number) {
  return holdTickets(db, event.ticketTypes[0]!.id, count, new Date(clock.current.getTime() + minutes * 60_000))
}

describe('/events search', () => {
  it('finds events by words of the title and by city, case-insensitively', async () => {
    const word = event.event.title.split('-')[0]!.toLowerCase()
    expect(await (await app.request(`/events?q=${encodeURIComponent(word)}`)).text()).toContain(event.event.title)
    expect(await (await app.request(`/events?city=${encodeURIComponent(city.toUpperCase())}`)).text()).toContain(event.event.title)
    const none = await (await app.request('/events?q=nothing-matches-this')).text()
    expect(none).not.toContain(event.event.title)
    expect(none).toContain('No events match your search.')
  })

  it('treats % and _ as plain characters, and survives silly input', async () => {
    expect(await (await app.request('/events?q=%25')).text()).toContain('No events match your search.')
    for (const q of ['x'.repeat(500), "'; drop table events; --", '\u0000']) {
      expect((await app.request(`/events?q=${encodeURIComponent(q)}`)).status).toBe(200)
    }
  })
})

describe('live availability on the event page', () => {
  it('shows what is left after sales and unexpired holds, and when sales open', async () => {
    await hold(2, 10)
    const html = await (await app.request(`/events/${event.event.slug}`)).text()
    expect(html).toContain('10 left') // 20 - 8 sold - 2 held
    expect(html).toMatch(/Sales open \d+ \w+/)
  })

  it('frees held tickets the moment their hold expires, with no cleanup having run', async () => {
    clock.advance(11 * 60_000)
    const html = await (await app.request(`/events/${event.event.slug}`)).text()
    expect(html).toContain('12 left')
  })
})

describe('weight', () => {
  it('sends the event page gzip-compressed, with no scripts and no favicon request', async () => {
    const res = await app.request(`/events/${event.event.slug}`, { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    const compressed = (await res.clone().arrayBuffer()).byteLength
    const html = await new Response(res.body!.pipeThrough(new DecompressionStream('gzip'))).text()
    expect(compressed).toBeLessThan(html.length / 2)
    expect(html).not.toContain('<script')
    expect(html).toMatch(/<link rel="icon" href="data:,"\/?>/)
  })
})

describe('conditional GET', () => {
  it('answers 304 to a matching ETag, and a new ETag once availability changes', async () => {
    const first = await app.request(`/events/${event.event.slug}`)
    const tag = first.headers.get('etag')!
    expect(tag).toBeTruthy()
    const again = await app.request(`/events/${event.event.slug}`, { headers: { 'if-none-match': tag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    await hold(1, 10)
    const changed = await app.request(`/events/${event.event.slug}`, { headers: { 'if-none-match': tag } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(tag)
  })

  it('sends ETags on the home page and the list too', async () => {
    for (const path of ['/', '/events']) expect((await app.request(path)).headers.get('etag'), path).toBeTruthy()
  })
})
