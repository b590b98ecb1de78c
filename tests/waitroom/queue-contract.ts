/**
 * The waiting room's behaviour through the app, whichever store keeps the queue (Postgres, or Upstash
 * Redis through the REST bridge): the pre-queue draw, first come first served after the opening, admission
 * at the rate and bound to the browser, its expiry, a restart, pausing while nothing is left, sold out.
 */
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import type { QueueStore } from '../../src/waitroom/queue-store.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { asSystem, createEvent, createTenant } from '../support/fixtures.ts'

export interface ContractSetup {
  db: Database
  /** A store as a fresh server would build it (same data underneath); undefined: the request's Postgres. */
  store: () => Promise<QueueStore | undefined>
}

const SECOND = 1000

export function queueContract(name: string, setup: () => Promise<ContractSetup>) {
  describe(`waiting room (${name})`, () => {
    async function world(options: { capacity?: number; perMinute?: number; opensInMs?: number } = {}) {
      const { db, store } = await setup()
      const clock = new TestClock()
      const appFor = async () => createTestApp(db, { now: clock.now, deps: { queueStore: await store() } }).app
      const app = await appFor()
      const tenant = await createTenant(db)
      const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: options.capacity ?? 50 }] })
      await asSystem(db, async (trx) => {
        await trx.updateTable('events').set({ high_demand: true, admission_per_minute: options.perMinute ?? 60 }).where('id', '=', event.id).execute()
        if (options.opensInMs !== undefined) {
          await trx.updateTable('ticket_types').set({ sales_start: new Date(clock.current.getTime() + options.opensInMs) }).where('event_id', '=', event.id).execute()
        }
      })
      const type = ticketTypes[0]!
      const visit = async (buyer: TestClient, path = `/events/${event.slug}/queue`) => {
        const res = await buyer.get(path)
        expect(res.status, await res.clone().text()).toBe(200)
        const position = res.headers.get('x-queue-position')
        return {
          status: res.headers.get('x-queue-status'), position: position === null ? undefined : Number(position),
          left: Number(res.headers.get('x-tickets-left')), html: await res.text(),
        }
      }
      const hold = (buyer: TestClient) => buyer.post(`/events/${event.slug}/reserve`, { [`qty_${type.id}`]: '1' })
      return { db, clock, app, appFor, event, type, visit, hold }
    }

    it('draws the pre-queue at random when the sale opens, then serves later arrivals first come first served', async () => {
      const w = await world({ opensInMs: 10 * MINUTE })
      const early = Array.from({ length: 12 }, () => new TestClient(w.app))
      for (const buyer of early) {
        const seen = await w.visit(buyer)
        expect(seen).toMatchObject({ status: 'waiting', position: undefined })
        expect(seen.html).toContain('drawn at random')
      }
      w.clock.advance(10 * MINUTE + SECOND)
      const late = Array.from({ length: 3 }, () => new TestClient(w.app))
      const latePlaces = []
      for (const buyer of late) latePlaces.push((await w.visit(buyer)).position)
      const earlyPlaces = []
      for (const buyer of early) earlyPlaces.push((await w.visit(buyer)).position!)
      // the drawn ones fill places 1..12 in some order, and arriving first gained nothing
      expect([...earlyPlaces].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
      expect(earlyPlaces).not.toEqual(Array.from({ length: 12 }, (_, i) => i + 1))
      expect(latePlaces).toEqual([13, 14, 15])
    })

    it('gives arrivals that come at once each their own place, none shared, none skipped', async () => {
      const w = await world()
      const buyers = Array.from({ length: 24 }, () => new TestClient(w.app))
      const first = await Promise.all(buyers.map((buyer) => w.visit(buyer)))
      const places = (await Promise.all(buyers.map((buyer) => w.visit(buyer)))).map((seen) => seen.position!)
      expect([...places].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
      // a place, once given, stays the browser's
      for (const [i, seen] of first.entries()) expect(places[i]).toBeLessThanOrEqual(seen.position!)
    })

    it('admits at the rate, in queue order, with an HttpOnly cookie bound to the browser', async () => {
      const w = await world({ perMinute: 60 })
      const buyers = Array.from({ length: 4 }, () => new TestClient(w.app))
      for (const [i, buyer] of buyers.entries()) expect((await w.visit(buyer)).position).toBe(i + 1)
      // no admission yet: holding sends the buyer to the queue
      const early = await w.hold(buyers[0]!)
      expect(early.status).toBe(303)
      expect(early.headers.get('location')).toBe(`/events/${w.event.slug}/queue`)

      w.clock.advance(2 * SECOND) // 60 a minute: two places
      const first = await buyers[0]!.get(`/events/${w.event.slug}/queue`)
      expect(first.headers.get('x-queue-status')).toBe('admitted')
      const cookie = first.headers.getSetCookie().find((line) => line.startsWith(`__Host-admit-${w.event.id}=`))!
      expect(cookie).toMatch(/HttpOnly/i)
      expect(cookie).toMatch(/Secure/i)
      expect((await w.visit(buyers[1]!)).status).toBe('admitted')
      expect(await w.visit(buyers[2]!)).toMatchObject({ status: 'waiting', position: 1 })
      expect(await w.visit(buyers[3]!)).toMatchObject({ status: 'waiting', position: 2 })

      const held = await w.hold(buyers[0]!)
      expect(held.status).toBe(303)
      expect(held.headers.get('location')).toMatch(/^\/reservations\//)

      // the admission copied into another browser does not hold there
      const thief = new TestClient(w.app)
      await w.visit(thief)
      thief.cookies.set(`__Host-admit-${w.event.id}`, buyers[1]!.cookies.get(`__Host-admit-${w.event.id}`)!)
      const refused = await w.hold(thief)
      expect(refused.status).toBe(403)
      expect(await refused.text()).toContain('Only the browser that waited its turn may choose tickets')
      // and the queue's URL in another browser is only a place at the back
      expect(await w.visit(new TestClient(w.app))).toMatchObject({ status: 'waiting', position: 4 })
    })

    it('answers a forged or mangled queue cookie with a clear page, never a 500, and keeps the place', async () => {
      const w = await world()
      const buyer = new TestClient(w.app)
      await w.visit(buyer)
      for (const forged of [`${w.clock.current.getTime() + MINUTE}.${'A'.repeat(43)}`, 'garbage', '9'.repeat(400)]) {
        buyer.cookies.set(`__Host-admit-${w.event.id}`, forged)
        const res = await w.hold(buyer)
        expect(res.status).toBe(403)
        expect(await res.text()).toContain('That queue pass is not valid here')
        buyer.cookies.set(`__Host-admit-${w.event.id}`, forged)
        const page = await w.visit(buyer)
        expect(page).toMatchObject({ status: 'waiting', position: 1 })
        expect(page.html).toContain('did not belong to this browser')
      }
      expect(await w.db.selectFrom('reservations').select('id').where('event_id', '=', w.event.id).execute()).toEqual([])
    })

    it('ends an unused admission after a few minutes and puts the browser at the back', async () => {
      const w = await world({ perMinute: 60 })
      const [a, b, c] = [new TestClient(w.app), new TestClient(w.app), new TestClient(w.app)]
      await w.visit(a)
      await w.visit(b)
      w.clock.advance(SECOND)
      expect((await w.visit(a)).status).toBe('admitted')
      w.clock.advance(6 * MINUTE)
      // b and c: b's turn came long ago, c just arrived
      await w.visit(c)
      const late = await w.hold(a)
      expect(late.status).toBe(303)
      expect(late.headers.get('location')).toBe(`/events/${w.event.slug}/queue?admission=expired`)
      const back = await w.visit(a, late.headers.get('location')!)
      expect(back.html).toContain('Your turn ran out')
      expect(back.status).toBe('waiting')
      expect((await w.visit(c)).status).toBe('admitted')
    })

    it('keeps every place across a restart of the server', async () => {
      const w = await world({ perMinute: 60 })
      const buyers = Array.from({ length: 3 }, () => new TestClient(w.app))
      for (const buyer of buyers) await w.visit(buyer)
      w.clock.advance(SECOND)
      expect((await w.visit(buyers[0]!)).status).toBe('admitted')
      const restarted = await w.appFor()
      const again = buyers.map((buyer) => { const next = new TestClient(restarted); for (const [k, v] of buyer.cookies) next.cookies.set(k, v); return next })
      expect((await w.visit(again[0]!)).status).toBe('admitted')
      expect(await w.visit(again[1]!)).toMatchObject({ status: 'waiting', position: 1 })
      expect(await w.visit(again[2]!)).toMatchObject({ status: 'waiting', position: 2 })
      expect((await w.hold(again[0]!)).headers.get('location')).toMatch(/^\/reservations\//)
    })

    it('stops admitting while nothing is left, resumes when holds expire, and tells everyone at once when sold out', async () => {
      const w = await world({ capacity: 1, perMinute: 60 })
      const buyers = Array.from({ length: 4 }, () => new TestClient(w.app))
      for (const buyer of buyers) await w.visit(buyer)
      w.clock.advance(SECOND)
      expect((await w.visit(buyers[0]!)).status).toBe('admitted')
      expect((await w.hold(buyers[0]!)).headers.get('location')).toMatch(/^\/reservations\//)
      // the one ticket is held: the queue stands still, however long
      w.clock.advance(5 * SECOND)
      const paused = await w.visit(buyers[1]!)
      expect(paused).toMatchObject({ status: 'waiting', position: 1, left: 0 })
      expect(paused.html).toContain('Tickets left: 0')
      expect(paused.html).toContain('Every ticket is held by a buyer paying now.')
      // the hold runs out (10 minutes): the queue moves again
      w.clock.advance(10 * MINUTE)
      expect((await w.visit(buyers[1]!)).status).toBe('admitted')
      // sold for good: all the rest hear it on their next look
      await asSystem(w.db, (trx) => sql`update tickets set status = 'active', claimable_after = 'infinity'
        where ticket_type_id = ${w.type.id}`.execute(trx))
      for (const buyer of buyers.slice(2)) {
        const told = await w.visit(buyer)
        expect(told.status).toBe('sold_out')
        expect(told.html).toContain('/waiting-list')
      }
    })
  })
}

/** The store port itself, whichever adapter: one look joins once, keeps the place, and moves the gate. */
export function queueStoreContract(name: string, setup: () => Promise<{ db: Database; store: QueueStore }>) {
  describe(`queue store (${name})`, () => {
    const look = (nowMs: number, flowing = true, preQueue = false) => ({ preQueue, nowMs, perMinute: 120, flowing, admissionMs: 60_000 })

    it('gives each browser one place, kept on every look, and moves the gate by the rate only while tickets flow', async () => {
      const { db, store } = await setup()
      const eventId = await eventIdFor(db)
      const t0 = Date.UTC(2027, 0, 1)
      const browsers = Array.from({ length: 100 }, (_, i) => `browser-${String(i).padStart(16, '0')}`)
      for (const [i, browser] of browsers.entries()) expect(await store.visit(eventId, browser, look(t0))).toEqual({ position: i + 1, admitted: 0 })
      expect((await store.visit(eventId, browsers[0]!, look(t0))).position).toBe(1)
      // 120 a minute for 30 s: 60 places
      expect(await store.visit(eventId, browsers[99]!, look(t0 + 30_000))).toEqual({ position: 100, admitted: 60 })
      // nothing left for 30 s: the gate stands still, and that time is not made up later
      expect((await store.visit(eventId, browsers[99]!, look(t0 + 60_000, false))).admitted).toBe(60)
      expect((await store.visit(eventId, browsers[99]!, look(t0 + 65_000))).admitted).toBe(70)
      // never past the places given, and a clock behind the gate moves nothing
      expect((await store.visit(eventId, browsers[99]!, look(t0 + 600_000))).admitted).toBe(100)
      expect((await store.visit(eventId, browsers[99]!, look(t0 + 1_000))).admitted).toBe(100)
    })

    it('gives looks that arrive together one place each, the same place to a browser that looks twice at once', async () => {
      const { db, store } = await setup()
      const eventId = await eventIdFor(db)
      const t0 = Date.UTC(2027, 0, 1)
      const browsers = Array.from({ length: 40 }, (_, i) => `together-${String(i).padStart(16, '0')}`)
      const looks = [...browsers, browsers[3]!, browsers[3]!, browsers[17]!]
      const spots = await Promise.all(looks.map((browser) => store.visit(eventId, browser, look(t0))))
      const places = spots.slice(0, browsers.length).map((spot) => spot.position!)
      expect([...places].sort((a, b) => a - b)).toEqual(Array.from({ length: browsers.length }, (_, i) => i + 1))
      expect(spots.slice(browsers.length).map((spot) => spot.position)).toEqual([places[3], places[3], places[17]])
      // and they keep them
      for (const [i, browser] of browsers.entries()) expect((await store.visit(eventId, browser, look(t0))).position).toBe(places[i])
    })

    it('gives a newcomer no place while nothing is left, keeps the places given, and gives the next one once tickets flow', async () => {
      const { db, store } = await setup()
      const eventId = await eventIdFor(db)
      const t0 = Date.UTC(2027, 0, 1)
      await store.visit(eventId, 'placed-aaaaaaaaaaaaaaa', look(t0))
      await store.visit(eventId, 'placed-bbbbbbbbbbbbbbb', look(t0))
      expect(await store.visit(eventId, 'late-cccccccccccccccccc', look(t0 + 500, false))).toEqual({ position: undefined, admitted: 0 })
      expect(await store.visit(eventId, 'late-cccccccccccccccccc', look(t0 + 800, false))).toEqual({ position: undefined, admitted: 0 })
      expect((await store.visit(eventId, 'placed-bbbbbbbbbbbbbbb', look(t0 + 900, false))).position).toBe(2)
      // tickets are back: the newcomer takes the next place, no number was spent on its looks before
      expect((await store.visit(eventId, 'late-cccccccccccccccccc', look(t0 + 1000))).position).toBe(3)
      // the pre-queue joins whatever is left
      const other = await eventIdFor(db)
      expect(await store.visit(other, 'early-dddddddddddddddd', look(t0, false, true))).toEqual({ position: undefined, admitted: 0 })
      expect((await store.visit(other, 'early-dddddddddddddddd', look(t0 + 1000))).position).toBe(1)
    })

    it('gives no place before the opening, and a place by the secret draw after it', async () => {
      const { db, store } = await setup()
      const eventId = await eventIdFor(db)
      const t0 = Date.UTC(2027, 0, 1)
      expect(await store.visit(eventId, 'early-aaaaaaaaaaaaaaaa', look(t0, true, true))).toEqual({ position: undefined, admitted: 0 })
      expect(await store.visit(eventId, 'early-bbbbbbbbbbbbbbbb', look(t0, true, true))).toEqual({ position: undefined, admitted: 0 })
      const late = await store.visit(eventId, 'late-cccccccccccccccccc', look(t0 + 60_000))
      expect(late.position).toBe(3)
      const drawn = [(await store.visit(eventId, 'early-aaaaaaaaaaaaaaaa', look(t0 + 60_000))).position,
        (await store.visit(eventId, 'early-bbbbbbbbbbbbbbbb', look(t0 + 60_000))).position]
      expect(drawn.sort()).toEqual([1, 2])
    })

    it('starts an admission at the first look after the turn came, keeps its end, and puts a browser that left at the back', async () => {
      const { db, store } = await setup()
      const eventId = await eventIdFor(db)
      const t0 = Date.UTC(2027, 0, 1)
      await store.visit(eventId, 'first-aaaaaaaaaaaaaaaa', look(t0))
      await store.visit(eventId, 'second-bbbbbbbbbbbbbbb', look(t0))
      await store.visit(eventId, 'third-cccccccccccccccc', look(t0))
      // 120 a minute for 1 s: two places; the second browser looks only later
      expect(await store.visit(eventId, 'first-aaaaaaaaaaaaaaaa', look(t0 + 1000))).toEqual({ position: 1, admitted: 2, admittedUntilMs: t0 + 61_000 })
      expect((await store.visit(eventId, 'third-cccccccccccccccc', look(t0 + 1000))).admittedUntilMs).toBeUndefined()
      expect((await store.visit(eventId, 'first-aaaaaaaaaaaaaaaa', look(t0 + 9000))).admittedUntilMs).toBe(t0 + 61_000)
      expect((await store.visit(eventId, 'second-bbbbbbbbbbbbbbb', look(t0 + 9000))).admittedUntilMs).toBe(t0 + 69_000)
      await store.leave(eventId, 'first-aaaaaaaaaaaaaaaa')
      const back = await store.visit(eventId, 'first-aaaaaaaaaaaaaaaa', look(t0))
      expect(back.position).toBeGreaterThan((await store.visit(eventId, 'second-bbbbbbbbbbbbbbb', look(t0))).position!)
    })
  })

}

/** An event row for the Postgres store's foreign key (the Redis store needs none, but gets the same ids). */
async function eventIdFor(db: Database): Promise<string> {
  const tenant = await createTenant(db)
  const { event } = await createEvent(db, tenant.id)
  return event.id
}
