/**
 * What can be exported: each dataset's columns (with their kind, so every format types its cells) and
 * the query that reads its rows in keyset pages. Contacts are shown as the organiser may see them: a
 * holder's name and email (they bought from this organiser), phones masked as on the payments page.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { ExportDataset } from '../db/schema.ts'
import type { MessageKey } from '../i18n/index.ts'
import { maskPhone } from '../lib/phone.ts'
import { MONEY, transactionScope, type FigureScope } from './figure-queries.ts'

export const EXPORT_DATASETS = ['orders', 'attendees', 'checkins', 'transfers', 'payouts'] as const satisfies readonly ExportDataset[]
export const EXPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const

export type ColumnKind = 'text' | 'money' | 'count' | 'time'

export interface ColumnDef {
  key: string
  kind: ColumnKind
}

export type Cell = string | number | Date | null
export type ExportRow = Record<string, Cell>

/** Each dataset's columns, in their default order. Headers are `analytics.column.<key>` in the catalog. */
export const DATASET_COLUMNS: Record<ExportDataset, ColumnDef[]> = {
  orders: [
    { key: 'created_at', kind: 'time' }, { key: 'completed_at', kind: 'time' }, { key: 'event', kind: 'text' },
    { key: 'kind', kind: 'text' }, { key: 'status', kind: 'text' }, { key: 'tickets', kind: 'count' },
    { key: 'amount', kind: 'money' }, { key: 'commission', kind: 'money' }, { key: 'net', kind: 'money' },
    { key: 'receipt', kind: 'text' }, { key: 'phone', kind: 'text' }, { key: 'buyer', kind: 'text' },
  ],
  attendees: [
    { key: 'ticket', kind: 'text' }, { key: 'event', kind: 'text' }, { key: 'ticket_type', kind: 'text' },
    { key: 'holder', kind: 'text' }, { key: 'email', kind: 'text' }, { key: 'phone', kind: 'text' },
    { key: 'state', kind: 'text' }, { key: 'price', kind: 'money' }, { key: 'bought_at', kind: 'time' },
    { key: 'checked_in_at', kind: 'time' },
  ],
  checkins: [
    { key: 'scanned_at', kind: 'time' }, { key: 'event', kind: 'text' }, { key: 'ticket', kind: 'text' },
    { key: 'ticket_type', kind: 'text' }, { key: 'holder', kind: 'text' }, { key: 'result', kind: 'text' },
    { key: 'scanner', kind: 'text' },
  ],
  transfers: [
    { key: 'created_at', kind: 'time' }, { key: 'record', kind: 'text' }, { key: 'event', kind: 'text' },
    { key: 'ticket', kind: 'text' }, { key: 'status', kind: 'text' }, { key: 'from', kind: 'text' },
    { key: 'to', kind: 'text' }, { key: 'amount', kind: 'money' }, { key: 'fee', kind: 'money' },
  ],
  payouts: [
    { key: 'event', kind: 'text' }, { key: 'starts_at', kind: 'time' }, { key: 'payments', kind: 'count' },
    { key: 'gross', kind: 'money' }, { key: 'commission', kind: 'money' }, { key: 'refunded', kind: 'money' },
    { key: 'refund_pending', kind: 'money' }, { key: 'net', kind: 'money' },
  ],
}

export function isDataset(value: string): value is ExportDataset {
  return (EXPORT_DATASETS as readonly string[]).includes(value)
}

export function columnHeaderKey(key: string): MessageKey {
  return `analytics.column.${key}` as MessageKey
}

/** The chosen columns, in the dataset's order; unknown names are returned in `unknown`. */
export function pickColumns(dataset: ExportDataset, keys?: string[]): { columns: ColumnDef[]; unknown: string[] } {
  const all = DATASET_COLUMNS[dataset]
  if (!keys || keys.length === 0) return { columns: all, unknown: [] }
  const unknown = keys.filter((key) => !all.some((column) => column.key === key))
  return { columns: all.filter((column) => keys.includes(column.key)), unknown }
}

/** Rows per keyset page. */
export const PAGE_ROWS = 2000

const masked = (phone: unknown) => (typeof phone === 'string' && /^254\d{9}$/.test(phone) ? maskPhone(phone) : null)
const date = (value: unknown) => (value == null ? null : new Date(value as string | Date))
const num = (value: unknown) => Number(value ?? 0)
const text = (value: unknown) => (value == null ? null : String(value))
const TRUE = sql`true`

function where(alias: string, scope: FigureScope, time?: string) {
  const parts = [TRUE]
  if (scope.tenantId) parts.push(sql`${sql.ref(`${alias}.tenant_id`)} = ${scope.tenantId}`)
  if (scope.eventId) parts.push(sql`${sql.ref(`${alias}.event_id`)} = ${scope.eventId}`)
  if (time && scope.from) parts.push(sql`${sql.ref(time)} >= ${scope.from}`)
  if (time && scope.to) parts.push(sql`${sql.ref(time)} < ${scope.to}`)
  return sql.join(parts, sql` and `)
}

/**
 * A dataset's rows after `after` (the last row's key), `limit` of them (null: all, as LIMIT NULL is),
 * each with a `key` column the keyset pages on.
 */
function datasetQuery(dataset: ExportDataset, scope: FigureScope, after: string | null, limit: number | null) {
  const from = after ?? ''
  const typeOf = (alias: string) => scope.ticketTypeId ? sql`${sql.ref(`${alias}.ticket_type_id`)} = ${scope.ticketTypeId}` : TRUE
  if (dataset === 'orders') {
    return sql<Record<string, unknown>>`
      select tx.id::text as key, tx.created_at, tx.completed_at, e.title as event, tx.transaction_type as kind, tx.status,
        (select count(*) from tickets t where t.transaction_id = tx.id) as tickets, tx.amount_minor, tx.commission_earned_minor, tx.net_minor, tx.refunded_minor,
        tx.mpesa_receipt_number, coalesce(tx.paid_phone, tx.mpesa_phone) as phone, u.name as buyer
      from transactions tx join events e on e.id = tx.event_id left join users u on u.id = tx.user_id
      where ${transactionScope(scope)} and tx.id::text > ${from} order by tx.id::text limit ${limit}`
  }
  if (dataset === 'attendees') {
    return sql<Record<string, unknown>>`
      select t.id::text as key, e.title as event, tt.name as type, u.name as holder, u.email, u.phone, t.status, t.price_minor,
        tx.completed_at, (select min(s.scanned_at) from scans s where s.ticket_id = t.id and s.scan_result = 'valid' and s.undone_at is null) as checked_in_at
      from tickets t join events e on e.id = t.event_id join ticket_types tt on tt.id = t.ticket_type_id
        left join users u on u.id = t.user_id left join transactions tx on tx.id = t.transaction_id
      where ${where('t', scope, 'tx.completed_at')} and ${typeOf('t')} and t.status in ('paid', 'active', 'used')
        and t.id::text > ${from} order by t.id::text limit ${limit}`
  }
  if (dataset === 'checkins') {
    return sql<Record<string, unknown>>`
      select s.id::text as key, s.scanned_at, e.title as event, s.ticket_id, tt.name as type, u.name as holder, s.scan_result, sc.name as scanner
      from scans s join events e on e.id = s.event_id left join tickets t on t.id = s.ticket_id
        left join ticket_types tt on tt.id = t.ticket_type_id left join users u on u.id = t.user_id left join users sc on sc.id = s.scanner_id
      where ${where('s', scope, 's.scanned_at')} and ${scope.ticketTypeId ? typeOf('t') : TRUE}
        and s.id::text > ${from} order by s.id::text limit ${limit}`
  }
  if (dataset === 'transfers') {
    return sql<Record<string, unknown>>`
      select * from (
        select 'T' || tr.id::text as key, tr.created_at, 'transfer' as record, e.title as event, tr.ticket_id, tr.status,
          f.name as from_name, o.name as to_name, 0 as amount, tr.transfer_fee_minor as fee
        from transfers tr join tickets t on t.id = tr.ticket_id join events e on e.id = t.event_id
          left join users f on f.id = tr.from_user_id left join users o on o.id = tr.to_user_id
        where ${where('t', scope, 'tr.created_at')} and ${typeOf('t')}
        union all
        select 'L' || ml.id::text, ml.created_at, 'resale', e.title, ml.ticket_id, ml.status, f.name, null, ml.listing_price_minor, 0
        from marketplace_listings ml join tickets t on t.id = ml.ticket_id join events e on e.id = ml.event_id
          left join users f on f.id = ml.seller_id
        where ${where('ml', scope, 'ml.created_at')} and ${typeOf('t')}) x
      where key > ${from} order by key limit ${limit}`
  }
  // payouts: what each event owes the organiser, by the money rule (figure-queries MONEY)
  return sql<Record<string, unknown>>`
    select e.id::text as key, e.title as event, e.starts_at, count(*) filter (where tx.status in ('completed', 'partially_refunded')) as payments,
      ${MONEY.gross} as gross, ${MONEY.commission} as commission, ${MONEY.refunded} as refunded, ${MONEY.refundPending} as refund_pending
    from transactions tx join events e on e.id = tx.event_id
    where ${transactionScope(scope)} and e.id::text > ${from}
    group by e.id, e.title, e.starts_at order by e.id::text limit ${limit}`
}

const ticketCode = (id: unknown) => (id == null ? null : String(id).slice(0, 8).toUpperCase())

const MAPPERS: Record<ExportDataset, (row: Record<string, unknown>) => ExportRow> = {
  orders: (row) => {
    // the money rule (figure-queries MONEY): commission and net only on what was kept, from migration 0012's columns
    const commission = num(row.commission_earned_minor)
    return {
      created_at: date(row.created_at), completed_at: date(row.completed_at), event: text(row.event), kind: text(row.kind),
      status: text(row.status), tickets: num(row.tickets), amount: num(row.amount_minor), commission,
      net: num(row.net_minor), receipt: text(row.mpesa_receipt_number),
      phone: masked(row.phone), buyer: text(row.buyer),
    }
  },
  attendees: (row) => ({
    ticket: ticketCode(row.key), event: text(row.event), ticket_type: text(row.type), holder: text(row.holder),
    email: text(row.email), phone: masked(row.phone), state: text(row.status), price: num(row.price_minor),
    bought_at: date(row.completed_at), checked_in_at: date(row.checked_in_at),
  }),
  checkins: (row) => ({
    scanned_at: date(row.scanned_at), event: text(row.event), ticket: ticketCode(row.ticket_id),
    ticket_type: text(row.type), holder: text(row.holder), result: text(row.scan_result), scanner: text(row.scanner),
  }),
  transfers: (row) => ({
    created_at: date(row.created_at), record: text(row.record), event: text(row.event), ticket: ticketCode(row.ticket_id),
    status: text(row.status), from: text(row.from_name), to: text(row.to_name), amount: num(row.amount), fee: num(row.fee),
  }),
  payouts: (row) => ({
    event: text(row.event), starts_at: date(row.starts_at), payments: num(row.payments), gross: num(row.gross),
    commission: num(row.commission), refunded: num(row.refunded), refund_pending: num(row.refund_pending),
    net: num(row.gross) - num(row.commission),
  }),
}

/** One keyset page of a dataset after `after` (the last row's key, from the previous page). */
export async function datasetPage(
  db: Queryable, dataset: ExportDataset, scope: FigureScope, after: string | null, limit = PAGE_ROWS,
): Promise<{ rows: ExportRow[]; last: string | null }> {
  const { rows } = await datasetQuery(dataset, scope, after, limit).execute(db)
  return { rows: rows.map(MAPPERS[dataset]), last: rows.length === limit ? String(rows[rows.length - 1]!.key) : null }
}

/** Every row of a dataset, page by page (the caller's transaction keeps one RLS context). */
export async function* datasetRows(db: Queryable, dataset: ExportDataset, scope: FigureScope): AsyncGenerator<ExportRow[]> {
  let after: string | null = null
  do {
    const result = await datasetPage(db, dataset, scope, after)
    if (result.rows.length > 0) yield result.rows
    after = result.last
  } while (after !== null)
}

/** How many rows a dataset has in scope (the job's progress, the size check). */
export async function datasetCount(db: Queryable, dataset: ExportDataset, scope: FigureScope): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from (${datasetQuery(dataset, scope, null, null)}) q`.execute(db)
  return Number(rows[0]?.n ?? 0)
}
