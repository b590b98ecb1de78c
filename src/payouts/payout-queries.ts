/** SQL for payouts: the row as the sweep and the callbacks lock it, and the lists and totals managers read. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { TransactionStatus } from '../db/schema.ts'

export function lockPayout(trx: Queryable, payoutId: string) {
  return trx.selectFrom('payouts').selectAll().where('id', '=', payoutId).forUpdate().executeTakeFirst()
}

export function findPayout(trx: Queryable, payoutId: string) {
  return trx.selectFrom('payouts').select(['id', 'tenant_id', 'callback_secret_hash']).where('id', '=', payoutId).executeTakeFirst()
}

/** Who a seller's notice goes to and in which language, with the event it is about. */
export async function sellerOf(trx: Queryable, payout: { seller_id: string | null; event_id: string }) {
  const event = await trx.selectFrom('events').select('title').where('id', '=', payout.event_id).executeTakeFirst()
  const seller = payout.seller_id
    ? await trx.selectFrom('users').select(['name', 'email', 'preferred_lang']).where('id', '=', payout.seller_id).executeTakeFirst()
    : undefined
  return { eventTitle: event?.title ?? '', name: seller?.name ?? '', email: seller?.email ?? null, lang: seller?.preferred_lang ?? 'en' }
}

export interface PayoutFilter {
  tenantId: string
  eventId?: string
  /** The resale payment's status (the payments page's filter). */
  status?: TransactionStatus
}

/** Payouts of the filter, newest first, with their event and resale payment. */
export function listPayouts(db: Queryable, filter: PayoutFilter, limit?: number) {
  let query = db.selectFrom('payouts as p')
    .innerJoin('events as e', 'e.id', 'p.event_id')
    .innerJoin('transactions as tx', (join) => join.onRef('tx.id', '=', 'p.transaction_id').onRef('tx.tenant_id', '=', 'p.tenant_id'))
    .select([
      'p.id', 'p.created_at', 'p.updated_at', 'p.completed_at', 'p.event_id', 'e.title as event_title', 'p.phone', 'p.amount_minor',
      'p.organiser_fee_minor', 'p.currency', 'p.status', 'p.method', 'p.attempts', 'p.next_attempt_at', 'p.result_code',
      'p.result_description', 'p.receipt', 'p.note', 'p.transaction_id', 'tx.amount_minor as sale_minor',
      'tx.mpesa_receipt_number as sale_receipt',
    ])
    .where('p.tenant_id', '=', filter.tenantId)
  if (filter.eventId) query = query.where('p.event_id', '=', filter.eventId)
  if (filter.status) query = query.where('tx.status', '=', filter.status)
  query = query.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc')
  return limit ? query.limit(limit).execute() : query.execute()
}

export type PayoutListing = Awaited<ReturnType<typeof listPayouts>>[number]

export interface PayoutTotals {
  paid: { count: number; minor: number }
  /** Due, or sent and waiting for Daraja's result. */
  inProgress: { count: number; minor: number }
  manual: { count: number; minor: number }
  /** The organisers' resale fees kept from the sales paid out or to pay out. */
  feesMinor: number
}

/** The filter's payouts by where they stand, with their amounts. */
export async function payoutTotals(db: Queryable, filter: PayoutFilter): Promise<PayoutTotals> {
  const figure = (name: string, where: ReturnType<typeof sql>) => [
    sql<string>`count(*) filter (where ${where})`.as(`${name}_n`),
    sql<string>`coalesce(sum(amount_minor) filter (where ${where}), 0)`.as(`${name}_minor`),
  ]
  let query = db.selectFrom('payouts').select([
    ...figure('paid', sql`status = 'completed'`),
    ...figure('progress', sql`status in ('due', 'requested')`),
    ...figure('manual', sql`status = 'manual'`),
    sql<string>`coalesce(sum(organiser_fee_minor), 0)`.as('fees'),
  ]).where('tenant_id', '=', filter.tenantId)
  if (filter.eventId) query = query.where('event_id', '=', filter.eventId)
  const row = await query.executeTakeFirstOrThrow() as Record<string, string>
  const of = (name: string) => ({ count: Number(row[`${name}_n`] ?? 0), minor: Number(row[`${name}_minor`] ?? 0) })
  return { paid: of('paid'), inProgress: of('progress'), manual: of('manual'), feesMinor: Number(row.fees ?? 0) }
}
