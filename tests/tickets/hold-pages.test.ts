import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { createEvent, createTenant } from '../support/fixtures.ts'

let db: Database
let clock: TestClock
let app: ReturnType<typeof createTestApp>['app']

beforeAll(async () => {
  db = await openTestDatabase()
  clock = new TestClock()
  ;({ app } = createTestApp(db, { now: clock.now }))
})
afterAll(() => db.destroy())

async function sale() {
  const tenant = await createTenant(db)
  return createEvent(db, tenant.id, {
    ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 20 }, { name: 'VIP', price_minor: 500_000, capacity: 5 }],
  })
}

const left = async (slug: string) => (await (await app.request(`/events/${slug}`)).text()).match(/(\d+) left/g)

describe('holding tickets from the event page', () => {
  it('holds the chosen tickets and shows them with the time left; the token stays in a cookie', async () => {
    const { event, ticketTypes } = await sale()
    const buyer = new TestClient(app)
    const page = await (await buyer.get(`/events/${event.slug}`)).text()
    expect(page).toContain(`name="qty_${ticketTypes[0]!.id}"`)
    const res = await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '2', [`qty_${ticketTypes[1]!.id}`]: '0' })
    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    expect(location).toMatch(/^\/reservations\/[0-9a-f-]{36}$/)
    const cookie = res.headers.getSetCookie().find((line) => line.startsWith('__Host-hold-'))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/Secure/i)
    const hold = await (await buyer.get(location)).text()
    expect(hold).toContain('Your tickets are held')
    expect(hold).toContain('2 × Regular')
    expect(hold).toContain('KES 3,000')
    expect(hold).toContain('Time left: 10:00')
    expect(await left(event.slug)).toEqual(['18 left', '5 left'])
    expect((await new TestClient(app).get(location)).status).toBe(404)
  })

  it('gives the tickets back at the end of the hold, and when the buyer releases them', async () => {
    const { event, ticketTypes } = await sale()
    const buyer = new TestClient(app)
    const location = (await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[1]!.id}`]: '5' })).headers.get('location')!
    expect(await left(event.slug)).toEqual(['20 left'])
    clock.advance(10 * MINUTE)
    expect(await (await buyer.get(location)).text()).toContain('This hold has ended')
    expect(await left(event.slug)).toEqual(['20 left', '5 left'])

    const again = (await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '3' })).headers.get('location')!
    expect(await left(event.slug)).toEqual(['17 left', '5 left'])
    const released = await buyer.post(`${again}/release`)
    expect(released.headers.get('location')).toBe(`${again}?notice=released`)
    expect(await (await buyer.get(released.headers.get('location')!)).text()).toContain('back on sale')
    expect(await left(event.slug)).toEqual(['20 left', '5 left'])
    expect((await buyer.post(`${again}/release`)).status).toBe(409)
  })

  it.each([
    ['nothing chosen', () => ({}), 422, 'Choose how many tickets you want first.'],
    ['a quantity that is not a number', (ids: string[]) => ({ [`qty_${ids[0]}`]: 'two' }), 422, 'Choose how many tickets you want first.'],
    ['more than are left', (ids: string[]) => ({ [`qty_${ids[1]}`]: '6' }), 409, 'Not enough VIP tickets are left'],
    ['more than one order may hold', (ids: string[]) => ({ [`qty_${ids[0]}`]: '11' }), 422, 'at most 10 Regular tickets'],
  ])('refuses %s with a clear message on the event page, holding nothing', async (_case, form, status, message) => {
    const { event, ticketTypes } = await sale()
    const res = await new TestClient(app).post(`/events/${event.slug}/reserve`, form(ticketTypes.map((type) => type.id)))
    expect(res.status).toBe(status)
    const html = await res.text()
    expect(html).toContain(message)
    expect(html).toContain('<h1>')
    expect(await left(event.slug)).toEqual(['20 left', '5 left'])
  })

  it('refuses a hold posted from another site', async () => {
    const { event, ticketTypes } = await sale()
    const res = await new TestClient(app).post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '1' },
      { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(await left(event.slug)).toEqual(['20 left', '5 left'])
  })
})

describe('one rule for what a hold may ask for, on the event page and in the API', () => {
  it('refuses more than ten ticket types in one hold both ways, and accepts ten', async () => {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id, {
      ticketTypes: Array.from({ length: 11 }, (_, i) => ({ name: `Type ${i + 1}`, price_minor: 10_000, capacity: 5 })),
    })
    const form = (types: typeof ticketTypes) => Object.fromEntries(types.map((type) => [`qty_${type.id}`, '1']))
    const api = (types: typeof ticketTypes) => app.request(`/api/v1/events/${event.id}/reservations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: types.map((type) => ({ ticketTypeId: type.id, quantity: 1 })) }),
    })
    expect((await new TestClient(app).post(`/events/${event.slug}/reserve`, form(ticketTypes))).status).toBe(422)
    expect((await api(ticketTypes)).status).toBe(422)
    expect((await new TestClient(app).post(`/events/${event.slug}/reserve`, form(ticketTypes.slice(0, 10)))).status).toBe(303)
    expect((await api(ticketTypes.slice(1))).status).toBe(201)
  })

  it.each([['51'], ['1e1'], ['2.5'], ['-1'], ['x']])('refuses a quantity of %s on the event page, holding nothing', async (quantity) => {
    const { event, ticketTypes } = await sale()
    const res = await new TestClient(app).post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: quantity })
    expect(res.status).toBe(422)
    expect(await left(event.slug)).toEqual(['20 left', '5 left'])
  })
})
