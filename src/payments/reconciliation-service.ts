/**
 * The manager's reconciliation of M-Pesa payments: totals, the transactions, and the flags that need a
 * person. Queries take the manager's tenant explicitly and also run under its RLS context: the explicit
 * `tenant_id` matters because a manager who bought tickets elsewhere may read their own purchases
 * through the buyer policy, and those must never appear here.
 */
import { sql } from 'kysely'
import { z } from 'zod'
import type { Queryable } from '../db/database.ts'
import type { PaymentFlagKind, TransactionStatus } from '../db/schema.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { normalizeKenyanPhone, maskPhone } from '../lib/phone.ts'
import { failureReason } from './checkout-service.ts'

export const RECON_PAGE_SIZE = 50
export const RECON_MAX_PAGE = 100_000
/** The flags shown at once: the newest first. */
export const RECON_FLAG_LIMIT = 50

export const TRANSACTION_STATUSES = [
  'pending', 'completed', 'partially_refunded', 'failed', 'refund_due', 'refund_requested', 'refunded',
] as const satisfies readonly TransactionStatus[]

export interface ReconFilter {
  tenantId: string
  eventId?: string
  status?: TransactionStatus
}

export interface ReconQuery {
  eventId?: string
  status?: TransactionStatus
  page: number
}

const blankToUndefined = (value: unknown) => (value === '' || value == null ? undefined : value)

const reconQuery = z.object({
  event: z.preprocess(blankToUndefined, z.uuid({ message: 'payments.recon.badEvent' }).optional()),
  status: z.preprocess(blankToUndefined, z.enum(TRANSACTION_STATUSES, { message: 'payments.recon.badStatus' }).optional()),
  page: z.preprocess(blankToUndefined, z.string().regex(/^\d{1,6}$/, { message: 'payments.recon.badPage' })
    .transform(Number).refine((n) => n >= 1 && n <= RECON_MAX_PAGE, { message: 'payments.recon.badPage' }).optional()),
})

/** `?event=&status=&page=` read strictly: bad values are a 400 with the reason, never a guess. */
export function parseReconQuery(query: Record<string, string | undefined>): ReconQuery {
  const parsed = reconQuery.safeParse({ event: query.event, status: query.status, page: query.page })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = issue.message === 'payments.recon.badEvent' || issue.message === 'payments.recon.badStatus'
      ? issue.message : 'payments.recon.badPage'
    throw new DomainError(400, `invalid_${String(issue.path[0] ?? 'query')}`, key)
  }
  return { eventId: parsed.data.event, status: parsed.data.status, page: parsed.data.page ?? 1 }
}

/** The tenant's events, newest first, for the filter. */
export function tenantEvents(db: Queryable, tenantId: string) {
  return db.selectFrom('events').select(['id', 'title']).where('tenant_id', '=', tenantId)
    .orderBy('starts_at', 'desc').orderBy('id').execute()
}

/** Throws 404 unless the event is the tenant's (published events of others are readable, so check). */
export async function assertTenantEvent(db: Queryable, tenantId: string, eventId: string) {
  const event = await db.selectFrom('events').select('id').where('id', '=', eventId).where('tenant_id', '=', tenantId)
    .executeTakeFirst()
  if (!event) throw new NotFoundError()
}

/**
 * The totals follow the commission rule: commission is earned only on money the organiser keeps. A
 * failed payment earns none; a refunded one earns none once refunded; a partly refunded one earns it on
 * the part not refunded (transactions.commission_earned_minor, migration 0012).
 */
export interface ReconTotals {
  /** Money kept: completed and partly refunded payments, less what went back. */
  grossMinor: number
  commissionMinor: number
  netMinor: number
  /** Completed and partly refunded payments. */
  completed: number
  pending: number
  failed: number
  /** refund_due and refund_requested: money received that still has to go back. */
  refundDue: number
  refundDueMinor: number
  refunded: number
  /** Everything that has gone back to buyers, whole and partial refunds. */
  refundedMinor: number
  /** Every transaction matching the filter, whatever its status. */
  all: number
}

const KEPT = sql`tx.status in ('completed', 'partially_refunded')`

export async function reconciliationTotals(db: Queryable, filter: ReconFilter): Promise<ReconTotals> {
  let query = db.selectFrom('transactions as tx').select([
    sql<string>`coalesce(sum(tx.amount_minor - tx.refunded_minor) filter (where ${KEPT}), 0)`.as('gross'),
    sql<string>`coalesce(sum(tx.commission_earned_minor), 0)`.as('commission'),
    sql<string>`coalesce(sum(tx.net_minor), 0)`.as('net'),
    sql<string>`count(*) filter (where ${KEPT})`.as('completed'),
    sql<string>`count(*) filter (where tx.status = 'pending')`.as('pending'),
    sql<string>`count(*) filter (where tx.status = 'failed')`.as('failed'),
    sql<string>`count(*) filter (where tx.status in ('refund_due', 'refund_requested'))`.as('refund_due'),
    sql<string>`coalesce(sum(tx.amount_minor - tx.refunded_minor) filter (where tx.status in ('refund_due', 'refund_requested')), 0)`.as('refund_due_minor'),
    sql<string>`count(*) filter (where tx.status = 'refunded')`.as('refunded'),
    sql<string>`coalesce(sum(tx.refunded_minor), 0)`.as('refunded_minor'),
    sql<string>`count(*)`.as('all'),
  ]).where('tx.tenant_id', '=', filter.tenantId)
  if (filter.eventId) query = query.where('tx.event_id', '=', filter.eventId)
  if (filter.status) query = query.where('tx.status', '=', filter.status)
  const row = await query.executeTakeFirstOrThrow()
  return {
    grossMinor: Number(row.gross), commissionMinor: Number(row.commission), netMinor: Number(row.net),
    completed: Number(row.completed), pending: Number(row.pending), failed: Number(row.failed),
    refundDue: Number(row.refund_due), refundDueMinor: Number(row.refund_due_minor), refunded: Number(row.refunded),
    refundedMinor: Number(row.refunded_minor), all: Number(row.all),
  }
}

function transactionsQuery(db: Queryable, filter: ReconFilter) {
  let query = db.selectFrom('transactions as tx')
    .innerJoin('events as e', 'e.id', 'tx.event_id')
    .select([
      'tx.id', 'tx.transaction_type', 'tx.created_at', 'tx.completed_at', 'e.title as event_title', 'tx.amount_minor', 'tx.commission_minor',
      'tx.commission_earned_minor', 'tx.net_minor', 'tx.refunded_minor',
      'tx.currency', 'tx.status', 'tx.mpesa_receipt_number', 'tx.checkout_request_id', 'tx.mpesa_phone', 'tx.paid_phone',
      'tx.result_code', 'tx.failure_reason', 'tx.refund_reason',
    ])
    .where('tx.tenant_id', '=', filter.tenantId)
  if (filter.eventId) query = query.where('tx.event_id', '=', filter.eventId)
  if (filter.status) query = query.where('tx.status', '=', filter.status)
  return query.orderBy('tx.created_at', 'desc').orderBy('tx.id', 'desc')
}

export type ReconTransaction = Awaited<ReturnType<ReturnType<typeof transactionsQuery>['execute']>>[number]

/** One page of transactions, newest first. */
export function listTransactions(db: Queryable, filter: ReconFilter, page: number): Promise<ReconTransaction[]> {
  return transactionsQuery(db, filter).limit(RECON_PAGE_SIZE).offset((page - 1) * RECON_PAGE_SIZE).execute()
}

/** Every transaction of the filter, for the CSV export. */
export function allTransactions(db: Queryable, filter: ReconFilter): Promise<ReconTransaction[]> {
  return transactionsQuery(db, filter).execute()
}

export interface ReconFlag {
  id: string
  kind: PaymentFlagKind
  created_at: Date
  event_title: string | null
  receipt: string | null
  checkout_request_id: string | null
  transaction_status: TransactionStatus | null
  /** Phones from the flag's detail, masked (never a full number). */
  phones: { expected?: string; paid?: string; phone?: string }
  failures: number | null
  reason: string | null
}

/** A phone from a flag's detail, shown masked; anything that is not recognisably one is dropped. */
export function safePhone(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined
  const phone = normalizeKenyanPhone(value)
  if (phone) return maskPhone(phone)
  // already masked ("0712 ••• 678"): keep it, but only if no long run of digits survives
  if (value.includes('•') && !/\d{5,}/.test(value.replace(/\s/g, ''))) return value.slice(0, 20)
  return undefined
}

/** The newest flags of the filter (status filter aside: a flag is about the payment, whatever it became). */
export async function listFlags(db: Queryable, filter: ReconFilter): Promise<ReconFlag[]> {
  let query = db.selectFrom('payment_flags as pf')
    .leftJoin('transactions as tx', (join) => join.onRef('tx.id', '=', 'pf.transaction_id').onRef('tx.tenant_id', '=', 'pf.tenant_id'))
    .leftJoin('events as e', (join) => join.onRef('e.id', '=', 'pf.event_id').onRef('e.tenant_id', '=', 'pf.tenant_id'))
    .select([
      'pf.id', 'pf.kind', 'pf.created_at', 'pf.detail', 'e.title as event_title', 'tx.mpesa_receipt_number',
      'tx.checkout_request_id', 'tx.status as transaction_status',
    ])
    .where('pf.tenant_id', '=', filter.tenantId)
  if (filter.eventId) query = query.where('pf.event_id', '=', filter.eventId)
  const rows = await query.orderBy('pf.created_at', 'desc').orderBy('pf.id', 'desc').limit(RECON_FLAG_LIMIT).execute()
  return rows.map((row) => {
    const detail = (row.detail ?? {}) as Record<string, unknown>
    const failures = Number(detail.failures)
    return {
      id: row.id, kind: row.kind, created_at: row.created_at, event_title: row.event_title,
      receipt: row.mpesa_receipt_number, checkout_request_id: row.checkout_request_id,
      transaction_status: row.transaction_status,
      phones: { expected: safePhone(detail.expected), paid: safePhone(detail.paid), phone: safePhone(detail.phone) },
      failures: Number.isInteger(failures) && failures > 0 ? failures : null,
      reason: typeof detail.reason === 'string' ? detail.reason : null,
    }
  })
}

export const REASON_CODES = [
  'cancelled', 'wrong_pin', 'insufficient_funds', 'unreachable', 'expired', 'busy', 'limit', 'push_refused', 'no_answer',
  'failed', 'tickets_gone', 'duplicate_payment', 'reversal_failed', 'event_cancelled', 'organiser',
] as const
export type ReasonCode = (typeof REASON_CODES)[number]

/** Why a payment failed or must be refunded, as a code the page words; null when nothing went wrong. */
export function reasonOf(tx: Pick<ReconTransaction, 'status' | 'result_code' | 'failure_reason' | 'refund_reason'>): ReasonCode | null {
  if (tx.status === 'refund_due' || tx.status === 'refund_requested' || tx.status === 'refunded') {
    if (tx.refund_reason?.startsWith('reversal_failed')) return 'reversal_failed'
    if (tx.refund_reason === 'duplicate_payment') return 'duplicate_payment'
    if (tx.refund_reason === 'event_cancelled' || tx.refund_reason === 'organiser') return tx.refund_reason
    return 'tickets_gone'
  }
  if (tx.status === 'partially_refunded') return 'organiser'
  if (tx.status !== 'failed') return null
  const code = failureReason(tx).code
  return (REASON_CODES as readonly string[]).includes(code) ? code as ReasonCode : 'failed'
}

/** Minor units as a plain decimal for spreadsheets: 150050 → "1500.50". */
export function minorToDecimal(minor: number): string {
  const sign = minor < 0 ? '-' : ''
  const abs = Math.abs(minor)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}

/** A CSV cell: formula-looking text is defused with a leading quote, then quoted when it must be. */
export function csvCell(value: string | number | null | undefined): string {
  let text = value == null ? '' : String(value)
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export const CSV_COLUMNS = [
  'created_at_nairobi', 'type', 'event', 'status', 'amount_kes', 'commission_kes', 'net_kes', 'refunded_kes', 'receipt',
  'checkout_request_id', 'phone',
] as const

/** A time as Nairobi wall-clock time (UTC+3 all year), as the page shows it: "2026-03-02 19:00:00". */
export function nairobiTimestamp(date: Date): string {
  return new Date(date.getTime() + 3 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
}

/** A refund as the export lists it, under its payment's event. */
export interface CsvRefund {
  created_at: Date
  event_title: string
  status: string
  amount_minor: number
  receipt: string | null
  checkout_request_id: string | null
  phone: string | null
}

/** A resale payout as the export lists it: money the organiser sends on to the seller, out of the resale's net. */
export interface CsvPayout {
  created_at: Date
  event_title: string
  status: string
  amount_minor: number
  receipt: string | null
  phone: string
}

/** A payment's type in the export: `payment` for a ticket sale (as ever), `resale` and `transfer_fee` for the others. */
function csvType(type: ReconTransaction['transaction_type']): string {
  return type === 'purchase' ? 'payment' : type
}

/**
 * The export: one line per payment (its type: payment, resale, transfer_fee), then one per refund and
 * one per resale payout (negative amounts), CRLF line ends (RFC 4180).
 * The phone is in full: the organiser reconciles against their own M-Pesa statement, where masked
 * numbers would collide. It is the phone that paid when Daraja told us, else the one prompted.
 */
export function transactionsCsv(rows: ReconTransaction[], refunds: CsvRefund[] = [], payouts: CsvPayout[] = []): string {
  const lines: string[] = [CSV_COLUMNS.join(',')]
  for (const tx of rows) {
    lines.push([
      nairobiTimestamp(tx.created_at), csvType(tx.transaction_type), tx.event_title, tx.status, minorToDecimal(tx.amount_minor),
      minorToDecimal(tx.commission_earned_minor), minorToDecimal(tx.net_minor), minorToDecimal(tx.refunded_minor),
      tx.mpesa_receipt_number, tx.checkout_request_id, fullPhone(tx.paid_phone ?? tx.mpesa_phone),
    ].map(csvCell).join(','))
  }
  for (const refund of refunds) {
    lines.push([
      nairobiTimestamp(refund.created_at), 'refund', refund.event_title, refund.status, minorToDecimal(-refund.amount_minor),
      '', '', '', refund.receipt, refund.checkout_request_id, fullPhone(refund.phone),
    ].map(csvCell).join(','))
  }
  for (const payout of payouts) {
    lines.push([
      nairobiTimestamp(payout.created_at), 'payout', payout.event_title, payout.status, minorToDecimal(-payout.amount_minor),
      '', '', '', payout.receipt, '', fullPhone(payout.phone),
    ].map(csvCell).join(','))
  }
  return `${lines.join('\r\n')}\r\n`
}

/** A stored phone (2547…) as the organiser's statement shows it, only when it is recognisably one. */
function fullPhone(value: string | null): string {
  return value ? normalizeKenyanPhone(value) ?? '' : ''
}
