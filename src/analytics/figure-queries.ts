/**
 * SQL for the dashboard's figures. Every function takes the scope explicitly (tenant, event, ticket
 * type, date range) and also runs under the caller's RLS context: a manager who bought tickets elsewhere
 * can read their own purchases through the buyer policy, and those must never count here, hence the
 * explicit tenant filter. `tenantId: null` is the platform view (super admin context only).
 *
 * The money rule lives in MONEY below and nowhere else: gross, commission and net are those of the
 * money kept (completed payments less what was refunded of them, as the payments page counts them); a
 * refunded part earns no commission and shows under refunds; failed and pending ones count for nothing.
 */
import { sql, type RawBuilder } from 'kysely'
import type { Queryable } from '../db/database.ts'

export interface FigureScope {
  /** null: every tenant (the platform dashboard). */
  tenantId: string | null
  eventId?: string
  ticketTypeId?: string
  /** Inclusive start and exclusive end of the date range, as instants. */
  from?: Date
  to?: Date
}

/** Money columns of a `transactions as tx` row set: the one place the commission and refund rule is written. */
export const MONEY = {
  received: sql`coalesce(sum(tx.amount_minor) filter (where tx.status in ('completed', 'partially_refunded', 'refund_due', 'refund_requested', 'refunded')), 0)`,
  // what the organiser keeps of each payment: the amount less what went back (src/payments/settlement-table.ts KEPT_STATUSES)
  gross: sql`coalesce(sum(tx.amount_minor - tx.refunded_minor) filter (where tx.status in ('completed', 'partially_refunded')), 0)`,
  // commission only on the part kept (migration 0012's generated column, as the payments page sums it)
  commission: sql`coalesce(sum(tx.commission_earned_minor), 0)`,
  refunded: sql`coalesce(sum(tx.refunded_minor), 0)`,
  refundPending: sql`coalesce(sum(tx.amount_minor - tx.refunded_minor) filter (where tx.status in ('refund_due', 'refund_requested')), 0)`,
} as const

/** Nairobi wall-clock time of a timestamptz (UTC+3 all year, no daylight saving). */
export function nairobi(column: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`((${column}) at time zone 'UTC' + interval '3 hours')`
}

const TRUE = sql`true`

function tenantOf(alias: string, scope: FigureScope) {
  return scope.tenantId ? sql`${sql.ref(`${alias}.tenant_id`)} = ${scope.tenantId}` : TRUE
}

function eventOf(alias: string, scope: FigureScope) {
  return scope.eventId ? sql`${sql.ref(`${alias}.event_id`)} = ${scope.eventId}` : TRUE
}

function rangeOf(column: string, scope: FigureScope) {
  const parts = [TRUE]
  if (scope.from) parts.push(sql`${sql.ref(column)} >= ${scope.from}`)
  if (scope.to) parts.push(sql`${sql.ref(column)} < ${scope.to}`)
  return sql.join(parts, sql` and `)
}

/** Transactions in scope: tenant, event, date (created), and, for a ticket type, those that sold one of its tickets. */
export function transactionScope(scope: FigureScope) {
  const type = scope.ticketTypeId
    ? sql`exists (select 1 from tickets ft where ft.transaction_id = tx.id and ft.ticket_type_id = ${scope.ticketTypeId})`
    : TRUE
  return sql`${tenantOf('tx', scope)} and ${eventOf('tx', scope)} and ${rangeOf('tx.created_at', scope)} and ${type}`
}

const n = (value: unknown) => Number(value ?? 0)

export interface TicketTypeFigures {
  id: string
  eventId: string
  eventTitle: string
  name: string
  priceMinor: number
  capacity: number
  sold: number
  held: number
  checkedIn: number
  /** Face value of the tickets sold (what the type brought in before commission). */
  soldValueMinor: number
}

/** Per ticket type, as it stands now: capacity, sold (paid, active, admitted), held (live holds), admitted. */
export async function ticketTypeFigures(db: Queryable, scope: FigureScope, now: Date): Promise<TicketTypeFigures[]> {
  const type = scope.ticketTypeId ? sql`tt.id = ${scope.ticketTypeId}` : TRUE
  const { rows } = await sql<Record<string, unknown>>`
    select tt.id, tt.event_id, e.title, tt.name, tt.price_minor, tt.capacity,
      coalesce(t.sold, 0) as sold, coalesce(t.held, 0) as held, coalesce(t.used, 0) as used, coalesce(t.value, 0) as value
    from ticket_types tt
    join events e on e.id = tt.event_id
    left join lateral (
      select count(*) filter (where status in ('paid', 'active', 'used')) as sold,
             count(*) filter (where status = 'pending_payment' and claimable_after > ${now}) as held,
             count(*) filter (where status = 'used') as used,
             sum(price_minor) filter (where status in ('paid', 'active', 'used')) as value
      from tickets where ticket_type_id = tt.id) t on true
    where ${tenantOf('tt', scope)} and ${eventOf('tt', scope)} and ${type}
    order by e.starts_at, tt.event_id, tt.sort_order, tt.name`.execute(db)
  return rows.map((row) => ({
    id: String(row.id), eventId: String(row.event_id), eventTitle: String(row.title), name: String(row.name),
    priceMinor: n(row.price_minor), capacity: n(row.capacity), sold: n(row.sold), held: n(row.held),
    checkedIn: n(row.used), soldValueMinor: n(row.value),
  }))
}

export interface RevenueFigures {
  receivedMinor: number
  grossMinor: number
  commissionMinor: number
  refundedMinor: number
  refundPendingMinor: number
  netMinor: number
  completed: number
  failed: number
  pending: number
  refunds: number
  /** Completed payments by kind: purchases, resales, transfer fees. */
  byType: Array<{ type: string; count: number; grossMinor: number; commissionMinor: number }>
}

export async function revenueFigures(db: Queryable, scope: FigureScope): Promise<RevenueFigures> {
  const { rows } = await sql<Record<string, unknown>>`
    select tx.transaction_type as type, ${MONEY.received} as received, ${MONEY.gross} as gross,
      ${MONEY.commission} as commission, ${MONEY.refunded} as refunded, ${MONEY.refundPending} as refund_pending,
      count(*) filter (where tx.status in ('completed', 'partially_refunded')) as completed, count(*) filter (where tx.status = 'failed') as failed,
      count(*) filter (where tx.status = 'pending') as pending,
      count(*) filter (where tx.status in ('partially_refunded', 'refund_due', 'refund_requested', 'refunded')) as refunds
    from transactions tx where ${transactionScope(scope)}
    group by tx.transaction_type order by tx.transaction_type`.execute(db)
  const sum = (key: string) => rows.reduce((total, row) => total + n(row[key]), 0)
  const grossMinor = sum('gross')
  const commissionMinor = sum('commission')
  return {
    receivedMinor: sum('received'), grossMinor, commissionMinor, refundedMinor: sum('refunded'),
    refundPendingMinor: sum('refund_pending'), netMinor: grossMinor - commissionMinor,
    completed: sum('completed'), failed: sum('failed'), pending: sum('pending'), refunds: sum('refunds'),
    byType: rows.map((row) => ({ type: String(row.type), count: n(row.completed), grossMinor: n(row.gross), commissionMinor: n(row.commission) })),
  }
}

/** Tickets per payment in scope, counted in one pass (a lookup per payment costs more at 4,000 orders). */
function ticketCounts(scope: FigureScope) {
  const type = scope.ticketTypeId ? sql`t.ticket_type_id = ${scope.ticketTypeId}` : TRUE
  return sql`select t.transaction_id, count(*) as n from tickets t
    where t.transaction_id is not null and ${tenantOf('t', scope)} and ${eventOf('t', scope)} and ${type} group by 1`
}

export interface SalesBucket {
  /** Nairobi wall-clock start of the bucket, "2026-03-02T19:00" or "2026-03-02". */
  bucket: string
  orders: number
  tickets: number
  grossMinor: number
}

/** Completed sales (tickets and money) per hour or per day of Nairobi time, by when the payment completed. */
export async function salesSeries(db: Queryable, scope: FigureScope, unit: 'hour' | 'day', since?: Date): Promise<SalesBucket[]> {
  const format = unit === 'hour' ? 'YYYY-MM-DD"T"HH24:00' : 'YYYY-MM-DD'
  const after = since ? sql`tx.completed_at >= ${since}` : TRUE
  const { rows } = await sql<Record<string, unknown>>`
    with counts as (${ticketCounts(scope)})
    select to_char(date_trunc(${unit}, ${nairobi(sql`tx.completed_at`)}), ${format}) as bucket,
      count(*) as orders, coalesce(sum(k.n), 0) as tickets, sum(tx.amount_minor - tx.refunded_minor) as gross
    from transactions tx left join counts k on k.transaction_id = tx.id
    where tx.status in ('completed', 'partially_refunded') and tx.completed_at is not null and ${after} and ${transactionScope(scope)}
    group by 1 order by 1`.execute(db)
  return rows.map((row) => ({ bucket: String(row.bucket), orders: n(row.orders), tickets: n(row.tickets), grossMinor: n(row.gross) }))
}

/** Tickets sold in each of the given windows [start, end), for the sales velocity and the forecast. */
export async function ticketsSoldBetween(db: Queryable, scope: FigureScope, windows: Array<[Date, Date]>): Promise<number[]> {
  if (windows.length === 0) return []
  const type = scope.ticketTypeId ? sql`t.ticket_type_id = ${scope.ticketTypeId}` : TRUE
  const columns = windows.map(([start, end], i) =>
    sql`count(*) filter (where tx.completed_at >= ${start} and tx.completed_at < ${end}) as ${sql.ref(`w${i}`)}`)
  const { rows } = await sql<Record<string, unknown>>`
    select ${sql.join(columns)} from tickets t join transactions tx on tx.id = t.transaction_id
    where tx.status in ('completed', 'partially_refunded') and t.status in ('paid', 'active', 'used') and ${type}
      and ${tenantOf('tx', scope)} and ${eventOf('tx', scope)}`.execute(db)
  return windows.map((_, i) => n(rows[0]?.[`w${i}`]))
}

export interface ConversionFigures {
  holds: number
  paid: number
  lapsed: number
  open: number
  /** Failed payments by Daraja's result code and our failure reason (the service words them). */
  failures: Array<{ resultCode: number | null; failureReason: string | null; count: number }>
}

/** Holds (reservations) and what became of them; failed payment attempts by reason. */
export async function conversionFigures(db: Queryable, scope: FigureScope, now: Date): Promise<ConversionFigures> {
  const type = scope.ticketTypeId
    ? sql`exists (select 1 from tickets ft where ft.reservation_id = r.id and ft.ticket_type_id = ${scope.ticketTypeId})` : TRUE
  const holds = await sql<Record<string, unknown>>`
    select count(*) as holds, count(*) filter (where r.status = 'paid') as paid,
      count(*) filter (where r.status in ('expired', 'cancelled') or (r.status = 'held' and r.expires_at <= ${now})) as lapsed,
      count(*) filter (where r.status = 'held' and r.expires_at > ${now}) as open
    from reservations r where ${tenantOf('r', scope)} and ${eventOf('r', scope)} and ${rangeOf('r.created_at', scope)} and ${type}`.execute(db)
  const failures = await sql<Record<string, unknown>>`
    select tx.result_code, tx.failure_reason, count(*) as count from transactions tx
    where tx.status = 'failed' and ${transactionScope(scope)}
    group by tx.result_code, tx.failure_reason order by count(*) desc`.execute(db)
  const row = holds.rows[0] ?? {}
  return {
    holds: n(row.holds), paid: n(row.paid), lapsed: n(row.lapsed), open: n(row.open),
    failures: failures.rows.map((f) => ({
      resultCode: f.result_code == null ? null : n(f.result_code), failureReason: f.failure_reason == null ? null : String(f.failure_reason), count: n(f.count),
    })),
  }
}

export interface CheckInFigures {
  /** Tickets admitted (their first valid scan). */
  admitted: number
  /** Scans refused or duplicate, by result. */
  otherScans: Array<{ result: string; count: number }>
  /** First admissions per hour of Nairobi time. */
  arrivals: Array<{ bucket: string; count: number }>
}

/** Arrivals at the gate from the scans: the earliest valid scan of a ticket, not undone, is its admission. */
export async function checkInFigures(db: Queryable, scope: FigureScope): Promise<CheckInFigures> {
  const type = scope.ticketTypeId
    ? sql`exists (select 1 from tickets ft where ft.id = s.ticket_id and ft.ticket_type_id = ${scope.ticketTypeId})` : TRUE
  const where = sql`${tenantOf('s', scope)} and ${eventOf('s', scope)} and ${rangeOf('s.scanned_at', scope)} and ${type}`
  const arrivals = await sql<Record<string, unknown>>`
    select to_char(date_trunc('hour', ${nairobi(sql`first_at`)}), 'YYYY-MM-DD"T"HH24:00') as bucket, count(*) as count
    from (select s.ticket_id, min(s.scanned_at) as first_at from scans s
          where s.scan_result = 'valid' and s.undone_at is null and s.ticket_id is not null and ${where} group by s.ticket_id) a
    group by 1 order by 1`.execute(db)
  const other = await sql<Record<string, unknown>>`
    select s.scan_result as result, count(*) as count from scans s where s.scan_result <> 'valid' and ${where}
    group by 1 order by 1`.execute(db)
  const points = arrivals.rows.map((row) => ({ bucket: String(row.bucket), count: n(row.count) }))
  return {
    admitted: points.reduce((total, point) => total + point.count, 0),
    otherScans: other.rows.map((row) => ({ result: String(row.result), count: n(row.count) })),
    arrivals: points,
  }
}

export interface SecondaryFigures {
  transfersCompleted: number
  transfersPending: number
  transferFeesMinor: number
  resalesSold: number
  resaleValueMinor: number
  listingsActive: number
}

/** Transfers between holders and resales on the marketplace, with their fees. */
export async function secondaryFigures(db: Queryable, scope: FigureScope): Promise<SecondaryFigures> {
  const ticketOf = (alias: string) => sql.join([
    scope.eventId ? sql`exists (select 1 from tickets et where et.id = ${sql.ref(`${alias}.ticket_id`)} and et.event_id = ${scope.eventId})` : TRUE,
    scope.ticketTypeId ? sql`exists (select 1 from tickets ft where ft.id = ${sql.ref(`${alias}.ticket_id`)} and ft.ticket_type_id = ${scope.ticketTypeId})` : TRUE,
  ], sql` and `)
  const transfers = await sql<Record<string, unknown>>`
    select count(*) filter (where tr.status = 'completed') as completed, count(*) filter (where tr.status = 'pending') as pending,
      coalesce(sum(tr.transfer_fee_minor) filter (where tr.status = 'completed'), 0) as fees
    from transfers tr where ${tenantOf('tr', scope)} and ${ticketOf('tr')} and ${rangeOf('tr.created_at', scope)}`.execute(db)
  const listings = await sql<Record<string, unknown>>`
    select count(*) filter (where ml.status = 'sold') as sold, count(*) filter (where ml.status = 'active') as active,
      coalesce(sum(ml.listing_price_minor) filter (where ml.status = 'sold'), 0) as value
    from marketplace_listings ml where ${tenantOf('ml', scope)} and ${eventOf('ml', scope)} and ${ticketOf('ml')}
      and ${rangeOf('ml.created_at', scope)}`.execute(db)
  const t = transfers.rows[0] ?? {}
  const l = listings.rows[0] ?? {}
  return {
    transfersCompleted: n(t.completed), transfersPending: n(t.pending), transferFeesMinor: n(t.fees),
    resalesSold: n(l.sold), resaleValueMinor: n(l.value), listingsActive: n(l.active),
  }
}

export interface BuyerRow {
  /** An account's id, or the paying phone for guests: who bought. */
  buyer: string
  isGuest: boolean
  phone: string | null
  hour: number
  tickets: number
  /** Bought from this organiser before (another event, earlier) than this order. */
  returning: boolean
}

/**
 * One row per completed purchase in scope, with what the platform knows of its buyer: an account or a
 * guest, the paying phone (for its network), the Nairobi hour, the tickets, and whether the same buyer
 * had paid this organiser for another event earlier. A buyer is their account, or for a guest the
 * paying phone (guests have no other identity).
 */
export async function buyerRows(db: Queryable, scope: FigureScope): Promise<BuyerRow[]> {
  const who = (alias: string) => sql`coalesce(${sql.ref(`${alias}.user_id`)}::text, ${sql.ref(`${alias}.paid_phone`)}, ${sql.ref(`${alias}.mpesa_phone`)}, ${sql.ref(`${alias}.id`)}::text)`
  // each buyer's first purchase per event of the tenant(s) in scope: one pass, hashed, instead of a lookup per order
  const firsts = sql`select ${who('p')} as who, p.event_id, min(p.completed_at) as first_at from transactions p
    where p.status = 'completed' and p.transaction_type = 'purchase' and ${tenantOf('p', scope)} group by 1, 2`
  const { rows } = await sql<Record<string, unknown>>`
    with firsts as materialized (${firsts}),
    counts as (${ticketCounts(scope)}),
    orders as (
      select tx.id, ${who('tx')} as buyer, tx.event_id, tx.completed_at, coalesce(u.is_guest, tx.user_id is null) as is_guest,
        coalesce(tx.paid_phone, tx.mpesa_phone) as phone, extract(hour from ${nairobi(sql`tx.completed_at`)})::int as hour,
        coalesce(tc.n, 0) as tickets
      from transactions tx left join users u on u.id = tx.user_id left join counts tc on tc.transaction_id = tx.id
      where tx.status = 'completed' and tx.transaction_type = 'purchase' and tx.completed_at is not null and ${transactionScope(scope)})
    select o.buyer, o.is_guest, o.phone, o.hour, o.tickets, coalesce(bool_or(f.first_at < o.completed_at), false) as returning
    from orders o left join firsts f on f.who = o.buyer and f.event_id <> o.event_id
    group by o.id, o.buyer, o.is_guest, o.phone, o.hour, o.tickets`.execute(db)
  return rows.map((row) => ({
    buyer: String(row.buyer), isGuest: row.is_guest === true, phone: row.phone == null ? null : String(row.phone),
    hour: n(row.hour), tickets: n(row.tickets), returning: row.returning === true,
  }))
}

export interface EventRow {
  id: string
  title: string
  startsAt: Date
  status: string
  tenantId: string
}

/** The events in scope, soonest first (the filter's choices and the per-event table). */
export async function scopeEvents(db: Queryable, scope: Pick<FigureScope, 'tenantId'>): Promise<EventRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select e.id, e.title, e.starts_at, e.status, e.tenant_id from events e where ${tenantOf('e', scope as FigureScope)}
    order by e.starts_at desc, e.id`.execute(db)
  return rows.map((row) => ({
    id: String(row.id), title: String(row.title), startsAt: new Date(row.starts_at as string | Date), status: String(row.status), tenantId: String(row.tenant_id),
  }))
}
