/**
 * The flash sale, small: 1,000 tickets in three types, 5,000 buyers through the app, holds in groups
 * (group commit) as the server makes them. Invariant 1 (never oversold, no ticket in two holds), every
 * acknowledged hold present and whole, nobody refused while enough was left; a sold-out type answered
 * 409 from memory with no database write; group commit keeping each hold all or nothing and idempotent;
 * the availability counter right after holds, releases, expiry, the sweep, cancellation and withdrawal.
 * Never timings: bench/flash-sale.mjs measures.
 */
import { sql, type KyselyPlugin, type RootOperationNode } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { cancelEvent } from '../../src/events/cancellation.ts'
import { expireHolds } from '../../src/jobs/expire-holds.ts'
import { postgresScheduler } from '../../src/jobs/scheduler.ts'
import type { BackgroundServices } from '../../src/services.ts'
import { addSellableTickets, withdrawSellableTickets } from '../../src/tickets/inventory.ts'
import { SOLD_OUT_MEMORY_MS } from '../../src/tickets/sold-out-memory.ts'
import { createReservation, releaseReservation } from '../../src/tickets/reservations.ts'
import { DomainError } from '../../src/lib/domain-errors.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant } from '../support/fixtures.ts'

let db: Database
let clock: TestClock
/** Every statement the app sends, as text (raw SQL) or as its kind (select, insert, update…). */
const statements: string[] = []
const counting: KyselyPlugin = {
  transformQuery({ node }) {
    statements.push(describe_(node))
    return node
  },
  transformResult: async ({ result }) => result,
}
function describe_(node: RootOperationNode): string {
  if (node.kind === 'RawNode') return node.sqlFragments.join('?').trim().replace(/\s+/g, ' ')
  return node.kind
}

beforeAll(async () => {
  db = await openTestDatabase()
  clock = new TestClock()
})
afterAll(() => db.destroy())

const newKey = () => crypto.randomUUID()

async function saleEvent(types: Array<{ name: string; price_minor: number; capacity: number }>) {
  const tenant = await createTenant(db)
  return createEvent(db, tenant.id, { ticketTypes: types })
}

/** The counter's answer and the rows' own count, for every type of the event, at `now`. */
async function counts(eventId: string, now: Date) {
  return asSystem(db, async (trx) => {
    const { rows } = await sql<{ name: string; counter: number; rows: number; slots: number; plain: number }>`
      select tt.name, available_ticket_count(tt.id, ${now}) as counter,
        (select count(*)::int from tickets t where t.ticket_type_id = tt.id and t.claimable_after <= ${now}) as rows,
        (select coalesce(sum(a.available), 0)::int from ticket_type_availability a where a.ticket_type_id = tt.id) as slots,
        (select count(*)::int from tickets t where t.ticket_type_id = tt.id and t.claimable_after = '-infinity') as plain
      from ticket_types tt where tt.event_id = ${eventId} order by tt.name`.execute(trx)
    return rows
  })
}

function expectCounterRight(rows: Awaited<ReturnType<typeof counts>>) {
  for (const row of rows) {
    expect(row.counter, row.name).toBe(row.rows)
    expect(row.slots, row.name).toBe(row.plain)
  }
}

describe('a flash sale of 1,000 tickets to 5,000 buyers', () => {
  it(`never oversells, keeps every acknowledged hold whole, refuses nobody while enough was left ${concurrencyNote}`, async () => {
    const capacities = { A: 600, B: 300, C: 100 }
    const { event, ticketTypes } = await saleEvent(Object.entries(capacities).map(([name, capacity], i) =>
      ({ name, price_minor: (i + 1) * 10_000, capacity })))
    const { app } = createTestApp(db, { now: clock.now })
    const typeOf = (i: number) => ticketTypes[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2]!
    const BUYERS = 5_000
    const CONCURRENCY = 50
    type Outcome = { i: number; type: string; quantity: number; status: number; id?: string; items?: Array<{ quantity: number }> }
    const outcomes: Outcome[] = []
    let next = 0
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < BUYERS) {
        const i = next++
        const type = typeOf(i).id
        const quantity = 1 + ((i * 7) % 4)
        const headers: Record<string, string> = { 'content-type': 'application/json' }
        // half the buyers send an Idempotency-Key, as careful clients do
        if (i % 2 === 0) headers['idempotency-key'] = newKey()
        const res = await app.request(`/api/v1/events/${event.id}/reservations`, {
          method: 'POST', headers, body: JSON.stringify({ items: [{ ticketTypeId: type, quantity }] }),
        })
        const body = await res.json() as { id?: string; items?: Array<{ quantity: number }>; code?: string }
        outcomes.push({ i, type, quantity, status: res.status, id: body.id, items: body.items })
      }
    }))

    expect(outcomes).toHaveLength(BUYERS)
    // only holds and sold-out refusals
    expect(outcomes.filter((o) => o.status !== 201 && o.status !== 409).map((o) => o.status)).toEqual([])
    const held = outcomes.filter((o) => o.status === 201)
    for (const o of held) expect(o.items).toEqual([expect.objectContaining({ quantity: o.quantity })])

    const rows = await asSystem(db, async (trx) => (await sql<{ id: string; ticket_type_id: string; reservation_id: string | null }>`
      select id, ticket_type_id, reservation_id from tickets where event_id = ${event.id} and claimable_after > ${clock.now()}`.execute(trx)).rows)
    // never oversold: per type, rows held never exceed capacity, and are exactly what the buyers were told
    for (const type of ticketTypes) {
      const heldOfType = rows.filter((row) => row.ticket_type_id === type.id).length
      expect(heldOfType, type.name).toBeLessThanOrEqual(type.capacity)
      expect(heldOfType, type.name).toBe(held.filter((o) => o.type === type.id).reduce((n, o) => n + o.quantity, 0))
    }
    // every acknowledged hold is in the database with exactly its tickets; no ticket is in two holds
    const byReservation = new Map<string, number>()
    for (const row of rows) byReservation.set(row.reservation_id!, (byReservation.get(row.reservation_id!) ?? 0) + 1)
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length)
    expect(byReservation.size).toBe(held.length)
    for (const o of held) expect(byReservation.get(o.id!), `hold ${o.i}`).toBe(o.quantity)
    // demand was five times the supply: every type sold out, and nobody was refused while their quantity was left
    const after = await counts(event.id, clock.now())
    expectCounterRight(after)
    for (const row of after) expect(row.counter, row.name).toBe(0)
    // the event page and the API show the same live count
    const api = await (await app.request(`/api/v1/events/${event.id}`)).json() as { ticketTypes: Array<{ available: number }> }
    expect(api.ticketTypes.map((type) => type.available)).toEqual([0, 0, 0])
  }, 600_000)
})

describe('the sold-out fast path', () => {
  it('answers a sold-out type 409 with no database call without a key, and only a read with one', async () => {
    const { event, ticketTypes } = await saleEvent([{ name: 'Solo', price_minor: 10_000, capacity: 3 }])
    const { app } = createTestApp(db.withPlugin(counting), { now: clock.now })
    const reserve = (quantity: number, key?: string) => app.request(`/api/v1/events/${event.id}/reservations`, {
      method: 'POST', body: JSON.stringify({ items: [{ ticketTypeId: ticketTypes[0]!.id, quantity }] }),
      headers: { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    })
    const key = newKey()
    const first = await reserve(3, key)
    expect(first.status).toBe(201)
    const { id } = await first.json() as { id: string }
    // the database refuses the next one, and the app remembers
    expect((await reserve(1)).status).toBe(409)

    statements.length = 0
    for (let i = 0; i < 20; i++) {
      const res = await reserve(1)
      expect(res.status).toBe(409)
      expect(await res.json()).toMatchObject({ error: { code: 'sold_out' } })
    }
    expect(statements, 'no database call at all').toEqual([])

    // with a key: one read, to answer a retried hold, and no write
    statements.length = 0
    const other = await reserve(2, newKey())
    expect(other.status).toBe(409)
    expect(statements).toHaveLength(1)
    expect(statements[0]).toMatch(/^select hold_replay\(/)
    // the first buyer's retry still gets its reservation, from the same fast path
    const replay = await reserve(3, key)
    expect(replay.status).toBe(200)
    expect(await replay.json()).toMatchObject({ id, status: 'held' })
    // a key used with another body is refused as before
    expect((await reserve(1, key)).status).toBe(422)
  })

  it('forgets a sold-out type as soon as tickets come back: a release, or the next expiry', async () => {
    const { event, ticketTypes } = await saleEvent([{ name: 'Pair', price_minor: 10_000, capacity: 2 }])
    const { app } = createTestApp(db, { now: clock.now })
    const reserve = (quantity: number) => app.request(`/api/v1/events/${event.id}/reservations`, {
      method: 'POST', body: JSON.stringify({ items: [{ ticketTypeId: ticketTypes[0]!.id, quantity }] }),
      headers: { 'content-type': 'application/json' },
    })
    const first = await (await reserve(1)).json() as { id: string; token: string }
    clock.advance(MINUTE)
    expect((await reserve(1)).status).toBe(201)
    expect((await reserve(1)).status).toBe(409)
    expect((await reserve(1)).status).toBe(409)
    // released: on sale again at once
    expect(await releaseReservation(db, first.id, first.token, clock.now())).toBe(true)
    const third = clock.now()
    expect((await reserve(1)).status).toBe(201)
    // half a second before the second hold expires, the type is refused (and remembered)...
    clock.advance(10 * MINUTE - 500)
    expect((await reserve(1)).status).toBe(409)
    expect((await reserve(1)).status).toBe(409)
    // ...but the memory never outlives that expiry, though it is younger than SOLD_OUT_MEMORY_MS: no job has run
    clock.advance(500)
    expect(clock.now().getTime()).toBe(third.getTime() + 10 * MINUTE)
    expect((await reserve(1)).status).toBe(201)
    expectCounterRight(await counts(event.id, clock.now()))
  })
  it('answers the queue page of a sold-out event from memory, and looks again once tickets come back', async () => {
    const { event, ticketTypes } = await saleEvent([{ name: 'Last', price_minor: 10_000, capacity: 1 }])
    await asSystem(db, (trx) => trx.updateTable('events').set({ high_demand: true, admission_per_minute: 1 }).where('id', '=', event.id).execute())
    const { app } = createTestApp(db.withPlugin(counting), { now: clock.now })
    const look = async () => (await app.request(`/events/${event.slug}/queue`)).headers.get('x-queue-status')
    expect(await look()).toBe('waiting')
    // sold for good (paid): the next look finds it out, the ones after it cost nothing
    await asSystem(db, (trx) => sql`update tickets set status = 'active', claimable_after = 'infinity'
      where ticket_type_id = ${ticketTypes[0]!.id}`.execute(trx))
    expect(await look()).toBe('sold_out')
    statements.length = 0
    for (let i = 0; i < 10; i++) expect(await look()).toBe('sold_out')
    expect(statements, 'no database call at all').toEqual([])
    // more tickets for sale in this process: the queue is open again at the next look
    const [type] = await asSystem(db, (trx) => trx.selectFrom('ticket_types').selectAll().where('id', '=', ticketTypes[0]!.id).execute())
    await asSystem(db, (trx) => addSellableTickets(trx, type!, 1))
    expect(await look()).toBe('waiting')
    // and a memory never outlives its second, whatever happened elsewhere
    await asSystem(db, (trx) => sql`update tickets set status = 'active', claimable_after = 'infinity'
      where ticket_type_id = ${ticketTypes[0]!.id}`.execute(trx))
    expect(await look()).toBe('sold_out')
    await asSystem(db, (trx) => sql`update tickets set status = 'available', claimable_after = '-infinity'
      where ticket_type_id = ${ticketTypes[0]!.id}`.execute(trx))
    clock.advance(SOLD_OUT_MEMORY_MS)
    expect(await look()).toBe('waiting')
  })

  it('answers newcomers while every ticket is held with no place and no database call; the queue keeps its places', async () => {
    const { event, ticketTypes } = await saleEvent([{ name: 'Last', price_minor: 10_000, capacity: 1 }])
    await asSystem(db, (trx) => trx.updateTable('events').set({ high_demand: true, admission_per_minute: 60 }).where('id', '=', event.id).execute())
    const { app } = createTestApp(db.withPlugin(counting), { now: clock.now })
    const first = new TestClient(app)
    const second = new TestClient(app)
    const queuePage = `/events/${event.slug}/queue`
    await first.get(queuePage)
    await second.get(queuePage)
    clock.advance(1000)
    expect((await first.get(queuePage)).headers.get('x-queue-status')).toBe('admitted')
    expect((await first.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '1' })).status).toBe(303)
    // the one ticket is held by a buyer paying: the second browser keeps its place
    expect((await second.get(queuePage)).headers.get('x-queue-position')).toBe('1')
    statements.length = 0
    for (let i = 0; i < 10; i++) {
      const res = await app.request(queuePage)
      expect(res.headers.get('x-queue-status')).toBe('waiting')
      expect(res.headers.get('x-queue-position')).toBeNull()
      expect(res.headers.get('x-tickets-left')).toBe('0')
      // nothing of it in the queue, nothing to come back to: no browser id is made for it either
      expect(res.headers.get('set-cookie') ?? '').not.toContain('__Host-holder')
      expect(await res.text()).toContain('it gives you a place in the queue as soon as they do')
    }
    expect(statements, 'no database call for a newcomer').toEqual([])
    // a browser with an id but no place is given none either (and costs no write)
    const returning = new TestClient(app)
    await returning.get(`/events/${event.slug}`)
    await returning.get(queuePage)
    const entries = () => asSystem(db, (trx) => trx.selectFrom('waiting_room_entries').select('place').where('event_id', '=', event.id).orderBy('place').execute())
    expect((await entries()).map((e) => Number(e.place))).toEqual([1, 2])
    // the hold runs out: that browser's next look places it right behind the queue (no number was spent before)
    clock.advance(10 * MINUTE + 1000)
    expect((await returning.get(queuePage)).status).toBe(200)
    expect((await entries()).map((e) => Number(e.place))).toEqual([1, 2, 3])
  })
})

describe('group commit', () => {
  const groupCommit = { windowMs: 20 }

  it(`keeps each hold of a group all or nothing and idempotent ${concurrencyNote}`, async () => {
    const { event, ticketTypes } = await saleEvent([
      { name: 'Many', price_minor: 10_000, capacity: 50 }, { name: 'Few', price_minor: 50_000, capacity: 1 }])
    const [many, few] = ticketTypes
    const now = clock.now()
    const hold = (items: Array<{ ticketTypeId: string; quantity: number }>, idempotencyKey?: string) =>
      createReservation(db, { eventId: event.id, items, userId: null, idempotencyKey, now, groupCommit })
        .then((result) => ({ ok: result }), (error: unknown) => ({ error }))
    const key = newKey()
    const results = await Promise.all([
      hold([{ ticketTypeId: many!.id, quantity: 2 }], key),
      hold([{ ticketTypeId: many!.id, quantity: 2 }], key), // the same request twice (a double tap)
      hold([{ ticketTypeId: many!.id, quantity: 3 }, { ticketTypeId: few!.id, quantity: 1 }]),
      hold([{ ticketTypeId: many!.id, quantity: 4 }, { ticketTypeId: few!.id, quantity: 1 }]), // Few runs short for one of these two
      hold([{ ticketTypeId: many!.id, quantity: 1 }], key.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))),
    ])
    const [a, b, c, d, e] = results
    // the double tap: one reservation, created once, the other answer its replay
    expect('ok' in a! && 'ok' in b!).toBe(true)
    const [ra, rb] = [a, b].map((r) => (r as { ok: Awaited<ReturnType<typeof createReservation>> }).ok)
    expect(ra!.reservation.id).toBe(rb!.reservation.id)
    expect([ra!.created, rb!.created].sort()).toEqual([false, true])
    expect(ra!.reservation.token).toBe(rb!.reservation.token)
    // of the two asking for the last Few, one holds both lines, the other nothing at all
    const fewWinners = [c, d].filter((r) => 'ok' in r!)
    const fewLosers = [c, d].filter((r) => 'error' in r!)
    expect(fewWinners).toHaveLength(1)
    expect(fewLosers).toHaveLength(1)
    expect((fewLosers[0] as { error: DomainError }).error).toMatchObject({ status: 409, code: 'sold_out' })
    expect('ok' in e!).toBe(true)
    const winnerMany = c === fewWinners[0] ? 3 : 4
    const left = Object.fromEntries((await counts(event.id, now)).map((row) => [row.name, row.counter]))
    expect(left).toEqual({ Few: 0, Many: 50 - 2 - winnerMany - 1 })
    expectCounterRight(await counts(event.id, now))
    // the refused hold left no reservation and no key behind
    const reservations = await asSystem(db, (trx) => trx.selectFrom('reservations').select('id').where('event_id', '=', event.id).execute())
    expect(reservations).toHaveLength(3)
    // a key reused with another body is refused, in a group as alone
    const reused = await hold([{ ticketTypeId: many!.id, quantity: 1 }], key)
    expect((reused as { error: DomainError }).error).toMatchObject({ status: 422, code: 'idempotency_key_reused' })
  })

  it(`still caps one client's open holds when its holds share a group ${concurrencyNote}`, async () => {
    const { event, ticketTypes } = await saleEvent([{ name: 'Capped', price_minor: 10_000, capacity: 40 }])
    const now = clock.now()
    const results = await Promise.all(Array.from({ length: 5 }, () =>
      createReservation(db, {
        eventId: event.id, items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }], userId: null, now, groupCommit,
        clientKey: 'address:one-client', maxOpenHolds: 2,
      }).then(() => 201, (error: DomainError) => error.status)))
    expect(results.sort()).toEqual([201, 201, 429, 429, 429])
    // another client is not held back by the first
    await expect(createReservation(db, {
      eventId: event.id, items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }], userId: null, now, groupCommit,
      clientKey: 'address:another-client', maxOpenHolds: 2,
    })).resolves.toMatchObject({ created: true })
  })

  it('refuses bad requests in a group with the same clear answers as alone, holding nothing', async () => {
    const { event, ticketTypes } = await saleEvent([{ name: 'Plain', price_minor: 10_000, capacity: 20 }])
    const now = clock.now()
    const attempt = (items: Array<{ ticketTypeId: string; quantity: number }>) =>
      createReservation(db, { eventId: event.id, items, userId: null, now, groupCommit }).then(() => 201, (error: DomainError) => error.code)
    const results = await Promise.all([
      attempt([{ ticketTypeId: ticketTypes[0]!.id, quantity: 11 }]),
      attempt([{ ticketTypeId: crypto.randomUUID(), quantity: 1 }]),
      attempt([{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }]),
    ])
    expect(results).toEqual(['over_max_per_order', 'unknown_ticket_type', 201])
    expect((await counts(event.id, now))[0]!.counter).toBe(19)
    await expect(createReservation(db, {
      eventId: crypto.randomUUID(), items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }], userId: null, now, groupCommit,
    })).rejects.toMatchObject({ status: 404 })
  })
})

describe('the availability counter', () => {
  it('stays equal to the rows through holds, release, expiry, the sweep, withdrawal and cancellation', async () => {
    const { event, ticketTypes } = await saleEvent([
      { name: 'One', price_minor: 10_000, capacity: 30 }, { name: 'Two', price_minor: 20_000, capacity: 10 }])
    const [one, two] = ticketTypes
    const start = clock.now()
    const hold = (items: Array<{ ticketTypeId: string; quantity: number }>, now: Date) =>
      createReservation(db, { eventId: event.id, items, userId: null, now })
    const first = await hold([{ ticketTypeId: one!.id, quantity: 5 }, { ticketTypeId: two!.id, quantity: 2 }], start)
    const second = await hold([{ ticketTypeId: one!.id, quantity: 4 }], new Date(start.getTime() + MINUTE))
    let now = new Date(start.getTime() + 2 * MINUTE)
    expect((await counts(event.id, now)).map((row) => row.counter)).toEqual([21, 8])
    expectCounterRight(await counts(event.id, now))

    expect(await releaseReservation(db, second.reservation.id, second.reservation.token!, now)).toBe(true)
    expect((await counts(event.id, now)).map((row) => row.counter)).toEqual([25, 8])
    expectCounterRight(await counts(event.id, now))

    // the first hold expires: counted available at once, before any sweep
    now = new Date(start.getTime() + 10 * MINUTE)
    expect((await counts(event.id, now)).map((row) => row.counter)).toEqual([30, 10])
    expectCounterRight(await counts(event.id, now))
    const services: BackgroundServices = { daraja: {}, get scheduler() { return postgresScheduler(db) } }
    await expireHolds(db, {}, now, services)
    expect((await counts(event.id, now)).map((row) => row.counter)).toEqual([30, 10])
    expectCounterRight(await counts(event.id, now))

    // fewer tickets on sale, then a hold, then the event cancelled: nothing left to sell
    expect(await asSystem(db, (trx) => withdrawSellableTickets(trx, one!.id, 6, now))).toBe(6)
    await hold([{ ticketTypeId: two!.id, quantity: 3 }], now)
    expect((await counts(event.id, now)).map((row) => row.counter)).toEqual([24, 7])
    expectCounterRight(await counts(event.id, now))
    await asSystem(db, (trx) => cancelEvent(trx, { tenantId: event.tenant_id, userId: event.manager_id }, event.id, now))
    expect((await counts(event.id, now)).map((row) => row.counter)).toEqual([0, 0])
    expectCounterRight(await counts(event.id, now))
  })
})

