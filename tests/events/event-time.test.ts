/**
 * The event's life over time, with the clock injected: published → ongoing at its start, ongoing →
 * completed at its end (or six hours after the start without one), by hand only within bounds, and no
 * holds once it has ended whatever the sales window says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { advanceEvents, DEFAULT_EVENT_MS, ONGOING_EARLY_MS } from '../../src/events/event-time.ts'
import { tick } from '../../src/jobs/runner.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, DAY, TEST_PASSWORD } from '../support/fixtures.ts'
import { createPaymentKit } from '../support/payments.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

const HOUR = 3600_000
const START = new Date('2026-12-12T16:00:00Z') // 19:00 in Nairobi

async function eventAt(options: { endsAt?: Date | null; status?: 'published' | 'draft' } = {}) {
  const tenant = await createTenant(db)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { startsAt: START, status: options.status })
  if (options.endsAt !== undefined) {
    await asSystem(db, (trx) => trx.updateTable('events').set({ ends_at: options.endsAt }).where('id', '=', event.id).execute())
  }
  return { tenant, event, type: ticketTypes[0]! }
}

const statusOf = (id: string) => asSystem(db, async (trx) =>
  (await trx.selectFrom('events').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status)

describe('by itself, from the event’s times', () => {
  it('goes ongoing at its start and completed at its end, and not a minute before either', async () => {
    const { event } = await eventAt({ endsAt: new Date(START.getTime() + 4 * HOUR) })
    await advanceEvents(db, new Date(START.getTime() - 60_000))
    expect(await statusOf(event.id)).toBe('published')
    await advanceEvents(db, START)
    expect(await statusOf(event.id)).toBe('ongoing')
    await advanceEvents(db, new Date(START.getTime() + 4 * HOUR - 60_000))
    expect(await statusOf(event.id)).toBe('ongoing')
    await advanceEvents(db, new Date(START.getTime() + 4 * HOUR))
    expect(await statusOf(event.id)).toBe('completed')
  })

  it('ends an event without an end time six hours after its start, passes a missed one through ongoing, and leaves drafts alone', async () => {
    const { event } = await eventAt({ endsAt: null })
    const { event: draft } = await eventAt({ status: 'draft' })
    await advanceEvents(db, new Date(START.getTime() + DEFAULT_EVENT_MS - 1))
    expect(await statusOf(event.id)).toBe('ongoing')
    const { event: missed } = await eventAt({ endsAt: new Date(START.getTime() + HOUR) })
    // the scheduler was down the whole evening: one run does both steps
    await advanceEvents(db, new Date(START.getTime() + DEFAULT_EVENT_MS))
    expect(await statusOf(event.id)).toBe('completed')
    expect(await statusOf(missed.id)).toBe('completed')
    expect(await statusOf(draft.id)).toBe('draft')
  })

  it('runs on the scheduler’s tick', async () => {
    const { event } = await eventAt({ endsAt: new Date(START.getTime() + HOUR) })
    const kit = await createPaymentKit(db)
    await tick(db, kit.services, new Date(START.getTime() + 2 * HOUR))
    expect(await statusOf(event.id)).toBe('completed')
  })
})

describe('by hand, within bounds', () => {
  it('refuses "ongoing" long before the start and "completed" before it, with a clear reason', async () => {
    const clock = new TestClock(new Date(START.getTime() - 90 * DAY))
    const { app } = createTestApp(db, { now: clock.now })
    const { tenant, event } = await eventAt()
    const account = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    const manager = new TestClient(app)
    expect((await manager.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).toBe(303)

    const early = await manager.post(`/manage/events/${event.id}/status`, { status: 'ongoing' })
    expect(early.status).toBe(422)
    expect(await early.text()).toContain(`An event can be marked as happening now only from ${ONGOING_EARLY_MS / HOUR} hours before it starts.`)
    expect(await statusOf(event.id)).toBe('published')

    clock.current = new Date(START.getTime() - 2 * HOUR)
    expect((await manager.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).toBe(303)
    const notStarted = await manager.post(`/manage/events/${event.id}/status`, { status: 'completed' })
    expect(notStarted.status).toBe(409) // published → completed is not in the table at all
    expect((await manager.post(`/manage/events/${event.id}/status`, { status: 'ongoing' })).status).toBe(303)
    const tooSoon = await manager.post(`/manage/events/${event.id}/status`, { status: 'completed' })
    expect(tooSoon.status).toBe(422)
    expect(await tooSoon.text()).toContain('An event can be marked as finished only once it has started.')
    clock.current = new Date(START.getTime() + HOUR)
    expect((await manager.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).toBe(303)
    expect((await manager.post(`/manage/events/${event.id}/status`, { status: 'completed' })).status).toBe(303)
    expect(await statusOf(event.id)).toBe('completed')
  })
})

describe('sales stop at the end of the event', () => {
  it('refuses a hold for an event that has ended, even with no sales end and the event still marked ongoing', async () => {
    const { event, type } = await eventAt({ endsAt: new Date(START.getTime() + 3 * HOUR) })
    await asSystem(db, (trx) => trx.updateTable('events').set({ status: 'ongoing' }).where('id', '=', event.id).execute())
    const during = await createReservation(db, { eventId: event.id, items: [{ ticketTypeId: type.id, quantity: 1 }], userId: null,
      now: new Date(START.getTime() + HOUR) })
    expect(during.reservation.status).toBe('held')
    await expect(createReservation(db, { eventId: event.id, items: [{ ticketTypeId: type.id, quantity: 1 }], userId: null,
      now: new Date(START.getTime() + 3 * HOUR) })).rejects.toMatchObject({ status: 409, code: 'event_ended', messageKey: 'reserve.eventEnded' })

    const { app } = createTestApp(db, { now: () => new Date(START.getTime() + 5 * HOUR) })
    const res = await app.request(`/api/v1/events/${event.id}/reservations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ ticketTypeId: type.id, quantity: 1 }] }),
    })
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ error: { code: 'event_ended', message: 'This event has ended: tickets are no longer on sale.' } })
    const held = await asSystem(db, (trx) => trx.selectFrom('tickets').select('id').where('event_id', '=', event.id).where('status', '=', 'pending_payment').execute())
    expect(held).toHaveLength(1)
  })
})
