/** SQL for refunds as the organiser reads them: the payments page, the CSV, an event's refund progress, one order. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { ReconFilter } from './reconciliation-service.ts'

/** Refunds of the filter's payments, newest first (the status filter is the payment's). */
export function listRefunds(db: Queryable, filter: ReconFilter & { transactionId?: string }, limit?: number) {
  let query = db.selectFrom('refunds as r')
    .innerJoin('transactions as tx', (join) => join.onRef('tx.id', '=', 'r.transaction_id').onRef('tx.tenant_id', '=', 'r.tenant_id'))
    .innerJoin('events as e', 'e.id', 'r.event_id')
    .select([
      'r.id', 'r.created_at', 'r.completed_at', 'r.amount_minor', 'r.currency', 'r.reason', 'r.note', 'r.status', 'r.attempts',
      'r.result_code', 'r.manual_reference', 'r.transaction_id', 'e.title as event_title', 'tx.mpesa_receipt_number as receipt', 'tx.checkout_request_id',
      sql<string | null>`coalesce(tx.paid_phone, tx.mpesa_phone)`.as('phone'),
    ])
    .where('r.tenant_id', '=', filter.tenantId)
  if (filter.eventId) query = query.where('r.event_id', '=', filter.eventId)
  if (filter.transactionId) query = query.where('r.transaction_id', '=', filter.transactionId)
  if (filter.status) query = query.where('tx.status', '=', filter.status)
  query = query.orderBy('r.created_at', 'desc').orderBy('r.id', 'desc')
  return limit ? query.limit(limit).execute() : query.execute()
}

export type RefundListing = Awaited<ReturnType<typeof listRefunds>>[number]

/** The event of the tenant (404 otherwise is the caller's), with its status, for the progress page. */
export function tenantEvent(db: Queryable, tenantId: string, eventId: string) {
  return db.selectFrom('events').select(['id', 'title', 'status', 'starts_at', 'cancelled_at'])
    .where('id', '=', eventId).where('tenant_id', '=', tenantId).executeTakeFirst()
}

/** One payment of the tenant with its event and tickets, for the order's refund form. */
export async function findOrder(db: Queryable, tenantId: string, transactionId: string) {
  const payment = await db.selectFrom('transactions as tx').innerJoin('events as e', 'e.id', 'tx.event_id')
    .select([
      'tx.id', 'tx.status', 'tx.amount_minor', 'tx.refunded_minor', 'tx.currency', 'tx.mpesa_receipt_number', 'tx.mpesa_phone',
      'tx.paid_phone', 'tx.created_at', 'e.title as event_title', 'e.id as event_id',
    ])
    .where('tx.id', '=', transactionId).where('tx.tenant_id', '=', tenantId).executeTakeFirst()
  if (!payment) return undefined
  const tickets = await db.selectFrom('tickets as t').innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .select(['t.id', 't.status', 't.price_minor', 'tt.name as type_name'])
    .where('t.transaction_id', '=', transactionId).where('t.tenant_id', '=', tenantId).orderBy('tt.sort_order').orderBy('t.id').execute()
  return { payment, tickets }
}
