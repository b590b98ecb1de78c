/**
 * The organiser's (and the platform's) dashboard: every figure from the query functions, put together
 * with the sales velocity, the sell-out forecast and the attendee insights. No HTTP here.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { phoneNetwork, type PhoneNetwork } from '../lib/phone-network.ts'
import { reasonOf, type ReasonCode } from '../payments/reconciliation-service.ts'
import { moneyByEvent } from './admin-queries.ts'
import type { FigureFilter } from './filters.ts'
import {
  buyerRows, checkInFigures, conversionFigures, revenueFigures, salesSeries, scopeEvents, secondaryFigures,
  ticketsSoldBetween, ticketTypeFigures, type BuyerRow, type CheckInFigures, type ConversionFigures, type EventRow,
  type FigureScope, type RevenueFigures, type SalesBucket, type SecondaryFigures, type TicketTypeFigures,
} from './figure-queries.ts'
import { forecastSellOut, forecastWindows, FORECAST_WINDOW_HOURS, type Forecast } from './forecast.ts'

/** Hourly sales cover this many hours back; the daily series covers everything. */
export const HOURLY_HOURS = 72

export interface Insights {
  orders: number
  guests: number
  accounts: number
  buyers: number
  newBuyers: number
  returningBuyers: number
  /** Orders by tickets in them: 1, 2, 3, 4, 5 or more. */
  ticketsPerOrder: number[]
  /** Orders by Nairobi hour of day, 0–23. */
  byHour: number[]
  networks: Record<PhoneNetwork, number>
}

export interface Dashboard {
  scope: FigureScope
  events: EventRow[]
  event?: EventRow
  ticketTypes: TicketTypeFigures[]
  totals: { capacity: number; sold: number; held: number; checkedIn: number }
  revenue: RevenueFigures
  hourly: SalesBucket[]
  daily: SalesBucket[]
  /** Tickets per hour over the forecast window. */
  velocity: number
  forecast: Forecast
  conversion: ConversionFigures & { rate: number | null; reasons: Array<{ reason: ReasonCode; count: number }> }
  checkIns: CheckInFigures & { noShows: number | null }
  secondary: SecondaryFigures
  insights: Insights
  /** Across events only: one line per event of the scope. */
  perEvent: Array<EventRow & { sold: number; capacity: number; grossMinor: number; netMinor: number }>
}

/** 404 unless the event (and the ticket type, when given) belong to the tenant; the platform sees all. */
export async function assertScope(db: Queryable, scope: FigureScope): Promise<void> {
  if (scope.eventId) {
    let query = db.selectFrom('events').select('id').where('id', '=', scope.eventId)
    if (scope.tenantId) query = query.where('tenant_id', '=', scope.tenantId)
    if (!await query.executeTakeFirst()) throw new NotFoundError()
  }
  if (scope.ticketTypeId) {
    let query = db.selectFrom('ticket_types').select('id').where('id', '=', scope.ticketTypeId)
    if (scope.tenantId) query = query.where('tenant_id', '=', scope.tenantId)
    if (scope.eventId) query = query.where('event_id', '=', scope.eventId)
    if (!await query.executeTakeFirst()) throw new NotFoundError()
  }
}

export function scopeOf(tenantId: string | null, filter: FigureFilter): FigureScope {
  return { tenantId, eventId: filter.eventId, ticketTypeId: filter.ticketTypeId, from: filter.from, to: filter.to }
}

/** The attendee insights from the purchases' rows: only what the platform holds, nothing inferred. */
export function insightsOf(rows: BuyerRow[]): Insights {
  const ticketsPerOrder = [0, 0, 0, 0, 0]
  const byHour = Array.from({ length: 24 }, () => 0)
  const networks: Record<PhoneNetwork, number> = { safaricom: 0, airtel: 0, telkom: 0, other: 0 }
  const firstOrder = new Map<string, boolean>()
  let guests = 0
  for (const row of rows) {
    if (row.isGuest) guests++
    ticketsPerOrder[Math.min(Math.max(row.tickets, 1), 5) - 1]!++
    byHour[row.hour]!++
    networks[phoneNetwork(row.phone)]++
    // a buyer is returning when any of their orders here followed one for another of this organiser's events
    firstOrder.set(row.buyer, (firstOrder.get(row.buyer) ?? false) || row.returning)
  }
  const returningBuyers = [...firstOrder.values()].filter(Boolean).length
  return {
    orders: rows.length, guests, accounts: rows.length - guests, buyers: firstOrder.size,
    newBuyers: firstOrder.size - returningBuyers, returningBuyers, ticketsPerOrder, byHour, networks,
  }
}

/**
 * Postgres would JIT-compile these aggregates (their cost estimates pass the threshold) and spend more
 * time compiling than running them; off for this transaction only.
 */
export async function withoutJit(db: Queryable): Promise<void> {
  await sql`select set_config('jit', 'off', true)`.execute(db)
}

export async function loadDashboard(db: Queryable, scope: FigureScope, now: Date): Promise<Dashboard> {
  await withoutJit(db)
  await assertScope(db, scope)
  const events = await scopeEvents(db, scope)
  const event = scope.eventId ? events.find((e) => e.id === scope.eventId) : undefined
  const ticketTypes = await ticketTypeFigures(db, scope, now)
  const totals = ticketTypes.reduce((sum, type) => ({
    capacity: sum.capacity + type.capacity, sold: sum.sold + type.sold, held: sum.held + type.held, checkedIn: sum.checkedIn + type.checkedIn,
  }), { capacity: 0, sold: 0, held: 0, checkedIn: 0 })
  const revenue = await revenueFigures(db, scope)
  // one pass by hour; the days are summed from the hours (Nairobi hours nest in Nairobi days)
  const hours = await salesSeries(db, scope, 'hour')
  const sinceKey = nairobiHourKey(new Date(now.getTime() - HOURLY_HOURS * 3600_000))
  const hourly = hours.filter((bucket) => bucket.bucket >= sinceKey)
  const daily = daysOf(hours)
  const perDay = await ticketsSoldBetween(db, scope, forecastWindows(now))
  const forecast = forecastSellOut(totals.capacity - totals.sold - totals.held, perDay, now, event?.startsAt)
  const conversion = await conversionFigures(db, scope, now)
  const decided = conversion.paid + conversion.lapsed
  const reasons = new Map<ReasonCode, number>()
  for (const failure of conversion.failures) {
    const reason = reasonOf({ status: 'failed', result_code: failure.resultCode, failure_reason: failure.failureReason, refund_reason: null }) ?? 'failed'
    reasons.set(reason, (reasons.get(reason) ?? 0) + failure.count)
  }
  const checkIns = await checkInFigures(db, scope)
  // no-shows only mean something once the event has begun
  const started = event ? event.startsAt.getTime() <= now.getTime() : false
  return {
    scope, events, event, ticketTypes, totals, revenue, hourly, daily,
    velocity: perDay.reduce((a, b) => a + b, 0) / FORECAST_WINDOW_HOURS, forecast,
    conversion: {
      ...conversion, rate: decided > 0 ? conversion.paid / decided : null,
      reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    },
    checkIns: { ...checkIns, noShows: started ? Math.max(totals.sold - checkIns.admitted, 0) : null },
    secondary: await secondaryFigures(db, scope),
    insights: insightsOf(await buyerRows(db, scope)),
    perEvent: scope.eventId ? [] : await perEventOf(db, scope, events, ticketTypes),
  }
}

/** "2026-03-05T10:00": the Nairobi hour an instant falls in, as salesSeries names its buckets. */
export function nairobiHourKey(at: Date): string {
  return `${new Date(at.getTime() + 3 * 3600_000).toISOString().slice(0, 13)}:00`
}

/** Hourly buckets summed into Nairobi days, in order. */
export function daysOf(hours: SalesBucket[]): SalesBucket[] {
  const days = new Map<string, SalesBucket>()
  for (const hour of hours) {
    const key = hour.bucket.slice(0, 10)
    const day = days.get(key) ?? { bucket: key, orders: 0, tickets: 0, grossMinor: 0 }
    day.orders += hour.orders
    day.tickets += hour.tickets
    day.grossMinor += hour.grossMinor
    days.set(key, day)
  }
  return [...days.values()]
}

/** The ticket types of the tenant's events, for the filter (with their event). */
export async function filterTicketTypes(db: Queryable, tenantId: string | null, eventId?: string) {
  const { rows } = await sql<{ id: string; name: string; event_id: string }>`
    select tt.id, tt.name, tt.event_id from ticket_types tt
    where ${tenantId ? sql`tt.tenant_id = ${tenantId}` : sql`true`} and ${eventId ? sql`tt.event_id = ${eventId}` : sql`true`}
    order by tt.sort_order, tt.name`.execute(db)
  return rows
}

async function perEventOf(db: Queryable, scope: FigureScope, events: EventRow[], types: TicketTypeFigures[]): Promise<Dashboard['perEvent']> {
  const money = new Map((await moneyByEvent(db, scope)).map((row) => [row.id, row]))
  return events.map((event) => {
    const own = types.filter((type) => type.eventId === event.id)
    const row = money.get(event.id)
    return {
      ...event, sold: own.reduce((t, type) => t + type.sold, 0), capacity: own.reduce((t, type) => t + type.capacity, 0),
      grossMinor: row?.grossMinor ?? 0, netMinor: (row?.grossMinor ?? 0) - (row?.commissionMinor ?? 0),
    }
  })
}
