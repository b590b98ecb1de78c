/**
 * The dashboard's figures against an independent computation: every order of the fixture is written
 * down once (ORDERS), the expected totals are summed from that list in plain code, and the figures the
 * service reads from the database must match them, and the payments page's totals, to the unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadDashboard, scopeOf } from '../../src/analytics/dashboard-service.ts'
import { parseFigureFilter } from '../../src/analytics/filters.ts'
import type { Database } from '../../src/db/database.ts'
import { withContext } from '../../src/db/request-context.ts'
import type { TransactionStatus } from '../../src/db/schema.ts'
import { reconciliationTotals } from '../../src/payments/reconciliation-service.ts'
import { openTestDatabase } from '../support/database.ts'
import { createEvent, createTenant, createUser, DAY } from '../support/fixtures.ts'
import { listing, placeOrder, scan, transfer, type Order } from '../support/sales.ts'

const NOW = new Date('2026-03-05T12:00:00Z')
const HOUR = 3600_000
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR)

let db: Database
let tenantA: string
let tenantB: string
let upcoming: Awaited<ReturnType<typeof createEvent>>
let past: Awaited<ReturnType<typeof createEvent>>
let empty: Awaited<ReturnType<typeof createEvent>>
let other: Awaited<ReturnType<typeof createEvent>>
let scanner: string

interface Spec { event: 'upcoming' | 'past' | 'other'; type: number; quantity: number; status: TransactionStatus; hoursAgo: number; phone?: string; guest?: boolean; buyer?: number; resultCode?: number }

/** The fixture's orders: the one source both the database and the expected figures come from. */
const ORDERS: Spec[] = [
  { event: 'upcoming', type: 0, quantity: 2, status: 'completed', hoursAgo: 100, phone: '254712000001', buyer: 1 },
  { event: 'upcoming', type: 1, quantity: 4, status: 'completed', hoursAgo: 60, phone: '254733000002', guest: true },
  { event: 'upcoming', type: 1, quantity: 1, status: 'completed', hoursAgo: 30, phone: '254110000003', buyer: 2 },
  { event: 'upcoming', type: 1, quantity: 3, status: 'completed', hoursAgo: 5, phone: '254712000001', buyer: 1 },
  { event: 'upcoming', type: 1, quantity: 2, status: 'refunded', hoursAgo: 20, phone: '254722000004', guest: true },
  { event: 'upcoming', type: 0, quantity: 1, status: 'refund_due', hoursAgo: 10, phone: '254722000005', guest: true },
  { event: 'upcoming', type: 1, quantity: 2, status: 'failed', hoursAgo: 8, resultCode: 1032 },
  { event: 'upcoming', type: 1, quantity: 1, status: 'failed', hoursAgo: 7, resultCode: 2001 },
  { event: 'upcoming', type: 1, quantity: 1, status: 'failed', hoursAgo: 6, resultCode: 1032 },
  { event: 'upcoming', type: 1, quantity: 1, status: 'pending', hoursAgo: 0.05 },
  { event: 'past', type: 0, quantity: 5, status: 'completed', hoursAgo: 200, phone: '254712000001', buyer: 1 },
  { event: 'past', type: 0, quantity: 2, status: 'completed', hoursAgo: 150, phone: '254799000006', guest: true },
  { event: 'other', type: 0, quantity: 3, status: 'completed', hoursAgo: 40, phone: '254712999999' },
]

const placed: Array<{ spec: Spec; order: Order; unit: number }> = []

beforeAll(async () => {
  db = await openTestDatabase()
  tenantA = (await createTenant(db)).id
  tenantB = (await createTenant(db)).id
  upcoming = await createEvent(db, tenantA, {
    startsAt: new Date(NOW.getTime() + 2 * DAY),
    ticketTypes: [{ name: 'VIP', price_minor: 500_000, capacity: 20 }, { name: 'Regular', price_minor: 150_000, capacity: 100 }],
  })
  past = await createEvent(db, tenantA, { startsAt: ago(24), ticketTypes: [{ name: 'GA', price_minor: 100_000, capacity: 50 }] })
  empty = await createEvent(db, tenantA, { startsAt: new Date(NOW.getTime() + 9 * DAY) })
  other = await createEvent(db, tenantB, { startsAt: new Date(NOW.getTime() + 3 * DAY) })
  scanner = (await createUser(db, { role: 'scanner' })).id
  const buyers = [undefined, (await createUser(db)).id, (await createUser(db)).id]
  const events = { upcoming, past, other }
  for (const spec of ORDERS) {
    const event = events[spec.event]
    const type = event.ticketTypes[spec.type]!
    const order = await placeOrder(db, {
      tenantId: event.event.tenant_id, eventId: event.event.id, typeId: type.id, quantity: spec.quantity, unitMinor: type.price_minor,
      status: spec.status, at: ago(spec.hoursAgo), phone: spec.phone, userId: spec.buyer ? buyers[spec.buyer] : null, resultCode: spec.resultCode,
    })
    placed.push({ spec, order, unit: type.price_minor })
  }
  // the past event's gate: 4 of its 7 tickets admitted, one twice (a duplicate that is not a second arrival)
  const pastTickets = placed.filter((p) => p.spec.event === 'past' && p.spec.status === 'completed').flatMap((p) => p.order.ticketIds)
  for (const [i, ticketId] of pastTickets.slice(0, 4).entries()) {
    await scan(db, { tenantId: tenantA, eventId: past.event.id, ticketId, scannerId: scanner, at: ago(23 - i * 0.25) })
  }
  await scan(db, { tenantId: tenantA, eventId: past.event.id, ticketId: pastTickets[0]!, scannerId: scanner, at: ago(22), result: 'duplicate' })
  const upcomingTicket = placed[0]!.order.ticketIds[0]!
  await transfer(db, { tenantId: tenantA, ticketId: upcomingTicket, from: buyers[1]!, to: buyers[2]!, feeMinor: 5_000, status: 'completed', at: ago(3) })
  await transfer(db, { tenantId: tenantA, ticketId: upcomingTicket, from: buyers[2]!, to: buyers[1]!, feeMinor: 5_000, status: 'pending', at: ago(2) })
  await listing(db, { tenantId: tenantA, eventId: upcoming.event.id, ticketId: placed[2]!.order.ticketIds[0]!, seller: buyers[2]!, priceMinor: 140_000, status: 'sold', at: ago(4) })
})
afterAll(() => db?.destroy())

/** The expected money of a set of orders, from the spec alone. */
function expectedMoney(specs: Array<{ spec: Spec; order: Order }>) {
  const with_ = (statuses: TransactionStatus[]) => specs.filter((p) => statuses.includes(p.spec.status))
  const sum = (list: typeof specs, pick: (o: Order) => number) => list.reduce((total, p) => total + pick(p.order), 0)
  const gross = sum(with_(['completed']), (o) => o.amount)
  const commission = sum(with_(['completed']), (o) => o.commission)
  return {
    grossMinor: gross, commissionMinor: commission, netMinor: gross - commission,
    refundedMinor: sum(with_(['refunded']), (o) => o.amount), refundPendingMinor: sum(with_(['refund_due', 'refund_requested']), (o) => o.amount),
    receivedMinor: sum(with_(['completed', 'refunded', 'refund_due', 'refund_requested']), (o) => o.amount),
    completed: with_(['completed']).length, failed: with_(['failed']).length, pending: with_(['pending']).length,
  }
}

function dashboardOf(tenantId: string | null, query: Record<string, string> = {}) {
  const context = tenantId ? { role: 'manager' as const, tenantId } : { role: 'super_admin' as const }
  return withContext(db, context, (trx) => loadDashboard(trx, scopeOf(tenantId, parseFigureFilter(query)), NOW))
}

describe('the organiser dashboard figures', () => {
  it('sum to the orders of the tenant, and to the payments page, across events', async () => {
    const mine = placed.filter((p) => p.spec.event !== 'other')
    const dashboard = await dashboardOf(tenantA)
    expect(dashboard.revenue).toMatchObject(expectedMoney(mine))
    const payments = await withContext(db, { role: 'manager', tenantId: tenantA }, (trx) => reconciliationTotals(trx, { tenantId: tenantA }))
    expect(dashboard.revenue.grossMinor).toBe(payments.grossMinor)
    expect(dashboard.revenue.commissionMinor).toBe(payments.commissionMinor)
    expect(dashboard.revenue.netMinor).toBe(payments.netMinor)
    expect(dashboard.revenue.completed).toBe(payments.completed)
    const sold = mine.filter((p) => p.spec.status === 'completed').reduce((total, p) => total + p.spec.quantity, 0)
    expect(dashboard.totals.sold).toBe(sold)
    expect(dashboard.totals.capacity).toBe(20 + 100 + 50 + 100)
    // the daily series adds up to the same sales
    expect(dashboard.daily.reduce((total, b) => total + b.tickets, 0)).toBe(sold)
    expect(dashboard.daily.reduce((total, b) => total + b.grossMinor, 0)).toBe(dashboard.revenue.grossMinor)
    expect(dashboard.events.map((e) => e.id)).not.toContain(other.event.id)
  })

  it('per event and ticket type: sold, held, value, and the sales of the last 72 hours by hour', async () => {
    const dashboard = await dashboardOf(tenantA, { event: upcoming.event.id })
    const specs = placed.filter((p) => p.spec.event === 'upcoming')
    expect(dashboard.revenue).toMatchObject(expectedMoney(specs))
    const byType = (type: number) => specs.filter((p) => p.spec.type === type && p.spec.status === 'completed')
    for (const figures of dashboard.ticketTypes) {
      const orders = byType(upcoming.ticketTypes.findIndex((type) => type.id === figures.id))
      expect(figures.sold).toBe(orders.reduce((t, p) => t + p.spec.quantity, 0))
      expect(figures.soldValueMinor).toBe(orders.reduce((t, p) => t + p.order.amount, 0))
    }
    expect(dashboard.ticketTypes.map((t) => t.held)).toEqual([0, 0]) // the pending order's hold has no rows claimed
    const recent = specs.filter((p) => p.spec.status === 'completed' && p.spec.hoursAgo <= 72)
    expect(dashboard.hourly.reduce((t, b) => t + b.tickets, 0)).toBe(recent.reduce((t, p) => t + p.spec.quantity, 0))
    // a payment completed at 07:01 UTC is the 10:00 hour in Nairobi
    const fiveHoursAgo = new Date(ago(5).getTime() + 60_000 + 3 * HOUR).toISOString().slice(0, 13)
    expect(dashboard.hourly.map((b) => b.bucket)).toContain(`${fiveHoursAgo}:00`)
  })

  it('states the forecast from the last three days, with its range', async () => {
    const dashboard = await dashboardOf(tenantA, { event: upcoming.event.id })
    // tickets completed in each of the three 24-hour windows before now
    const windows = [[72, 48], [48, 24], [24, 0]].map(([start, end]) => placed
      .filter((p) => p.spec.event === 'upcoming' && p.spec.status === 'completed')
      .filter((p) => { const h = p.spec.hoursAgo - 1 / 60; return h < start! && h >= end! })
      .reduce((t, p) => t + p.spec.quantity, 0))
    expect(windows).toEqual([4, 1, 3])
    expect(dashboard.velocity).toBeCloseTo(8 / 72, 6)
    expect(dashboard.forecast.kind).toBe('projection')
    const remaining = 120 - dashboard.totals.sold - dashboard.totals.held
    expect(dashboard.forecast.remaining).toBe(remaining)
    expect(dashboard.forecast.at!.getTime()).toBe(NOW.getTime() + Math.ceil(remaining / (8 / 72) * HOUR))
    expect(dashboard.forecast.earliest!.getTime()).toBe(NOW.getTime() + Math.ceil(remaining / (4 / 24) * HOUR))
    expect(dashboard.forecast.latest!.getTime()).toBe(NOW.getTime() + Math.ceil(remaining / (1 / 24) * HOUR))
    expect(dashboard.forecast.afterStart).toBe(true)
  })

  it('counts conversion and failure reasons', async () => {
    const dashboard = await dashboardOf(tenantA, { event: upcoming.event.id })
    const specs = placed.filter((p) => p.spec.event === 'upcoming')
    expect(dashboard.conversion.holds).toBe(specs.length)
    expect(dashboard.conversion.paid).toBe(specs.filter((p) => p.spec.status === 'completed').length)
    expect(dashboard.conversion.open).toBe(1)
    expect(dashboard.conversion.reasons).toEqual([{ reason: 'cancelled', count: 2 }, { reason: 'wrong_pin', count: 1 }])
  })

  it('counts arrivals once per ticket, and no-shows once the event has begun', async () => {
    const dashboard = await dashboardOf(tenantA, { event: past.event.id })
    expect(dashboard.checkIns.admitted).toBe(4)
    expect(dashboard.checkIns.otherScans).toEqual([{ result: 'duplicate', count: 1 }])
    expect(dashboard.checkIns.noShows).toBe(7 - 4)
    expect(dashboard.checkIns.arrivals.reduce((t, a) => t + a.count, 0)).toBe(4)
    expect((await dashboardOf(tenantA, { event: upcoming.event.id })).checkIns.noShows).toBeNull()
  })

  it('counts transfers, resales and their fees', async () => {
    const dashboard = await dashboardOf(tenantA, { event: upcoming.event.id })
    expect(dashboard.secondary).toEqual({
      transfersCompleted: 1, transfersPending: 1, transferFeesMinor: 5_000, resalesSold: 1, resaleValueMinor: 140_000, listingsActive: 0,
    })
  })

  it('derives attendee insights only from the purchases held', async () => {
    const dashboard = await dashboardOf(tenantA, { event: upcoming.event.id })
    const completed = placed.filter((p) => p.spec.event === 'upcoming' && p.spec.status === 'completed')
    expect(dashboard.insights.orders).toBe(completed.length)
    expect(dashboard.insights.guests).toBe(completed.filter((p) => p.spec.guest || !p.spec.buyer).length)
    // buyer 1 bought for the past event first: returning; buyer 2 and the guest are new
    expect(dashboard.insights).toMatchObject({ buyers: 3, returningBuyers: 1, newBuyers: 2 })
    expect(dashboard.insights.ticketsPerOrder).toEqual([1, 1, 1, 1, 0])
    expect(dashboard.insights.networks).toEqual({ safaricom: 3, airtel: 1, telkom: 0, other: 0 })
    expect(dashboard.insights.byHour.reduce((a, b) => a + b, 0)).toBe(completed.length)
  })

  it('gives an empty event zeros and no forecast', async () => {
    const dashboard = await dashboardOf(tenantA, { event: empty.event.id })
    expect(dashboard.revenue).toMatchObject({ grossMinor: 0, commissionMinor: 0, netMinor: 0, completed: 0 })
    expect(dashboard.totals).toEqual({ capacity: 100, sold: 0, held: 0, checkedIn: 0 })
    expect(dashboard.forecast.kind).toBe('no_recent_sales')
    expect(dashboard.conversion.rate).toBeNull()
    expect(dashboard.daily).toEqual([])
  })

  it('filters by ticket type and date range', async () => {
    const vip = upcoming.ticketTypes[0]!.id
    const dashboard = await dashboardOf(tenantA, { event: upcoming.event.id, type: vip })
    const specs = placed.filter((p) => p.spec.event === 'upcoming' && p.spec.type === 0)
    expect(dashboard.revenue).toMatchObject({ grossMinor: expectedMoney(specs).grossMinor })
    expect(dashboard.ticketTypes.map((t) => t.id)).toEqual([vip])
    // 2026-03-05 in Nairobi starts at 2026-03-04T21:00Z: the orders of the last 15 hours
    const today = await dashboardOf(tenantA, { from: '2026-03-05', to: '2026-03-05' })
    const inDay = placed.filter((p) => p.spec.event !== 'other' && p.spec.hoursAgo <= 15)
    expect(today.revenue).toMatchObject(expectedMoney(inDay))
  })

  it('keeps each tenant to its own rows, and gives the platform all of them', async () => {
    const b = await dashboardOf(tenantB)
    expect(b.revenue).toMatchObject(expectedMoney(placed.filter((p) => p.spec.event === 'other')))
    await expect(dashboardOf(tenantB, { event: upcoming.event.id })).rejects.toMatchObject({ status: 404 })
    await expect(dashboardOf(tenantB, { type: upcoming.ticketTypes[0]!.id })).rejects.toMatchObject({ status: 404 })
    const platform = await dashboardOf(null)
    const all = placed.map((p) => p)
    expect(platform.revenue.grossMinor).toBeGreaterThanOrEqual(expectedMoney(all).grossMinor)
    const onlyOurs = await withContext(db, { role: 'super_admin' }, (trx) =>
      loadDashboard(trx, { tenantId: null, eventId: other.event.id }, NOW))
    expect(onlyOurs.revenue).toMatchObject(expectedMoney(placed.filter((p) => p.spec.event === 'other')))
  })
})

describe('the filter', () => {
  it.each([
    [{ from: '2026-03-09', to: '2026-03-01' }, 'invalid_range'],
    [{ from: '2026-02-30' }, 'invalid_from'],
    [{ to: 'yesterday' }, 'invalid_to'],
    [{ from: '2020-01-01', to: '2026-01-01' }, 'range_too_long'],
    [{ event: 'not-a-uuid' }, 'invalid_event'],
    [{ type: '1234' }, 'invalid_type'],
  ])('refuses %j with %s', (query, code) => {
    expect(() => parseFigureFilter(query)).toThrowError(expect.objectContaining({ status: 400, code }))
  })
})
