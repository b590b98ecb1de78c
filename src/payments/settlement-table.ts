/**
 * A payment's life, every transition in one place (as src/tickets/lifecycle.ts is for tickets):
 *
 *   pending → completed (paid, tickets issued) | failed (cancelled, wrong PIN, no answer, push refused)
 *           | refund_due (paid, but there is nothing to buy: tickets gone, a second payment, event cancelled)
 *   failed → completed | refund_due (Daraja confirms a success after all)
 *   completed → partially_refunded | refunded (a refund of some tickets, or of what was left, completed)
 *             | refund_due (the whole payment goes back: the event was cancelled, the organiser refunds it)
 *   partially_refunded → partially_refunded | refunded | refund_due
 *   refund_due → refund_requested (Reversal asked for) | refunded (Daraja would not: the organiser made it by hand)
 *   refund_requested → refunded | refund_due (Daraja refused: retried, or made by hand)
 *
 * Every status change of a transaction goes through `moveTransaction`, which refuses anything else.
 * A partial refund does not move the payment until it completes: its progress is the refund row's.
 */
import type { Queryable } from '../db/database.ts'
import type { TransactionStatus } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'

const NEXT: Record<TransactionStatus, readonly TransactionStatus[]> = {
  pending: ['completed', 'failed', 'refund_due'],
  failed: ['completed', 'refund_due'],
  completed: ['partially_refunded', 'refunded', 'refund_due'],
  partially_refunded: ['partially_refunded', 'refunded', 'refund_due'],
  refund_due: ['refund_requested', 'refunded'],
  refund_requested: ['refunded', 'refund_due'],
  refunded: [],
}

export const TRANSACTION_STATUSES = Object.keys(NEXT) as TransactionStatus[]

export function canSettle(from: TransactionStatus, to: TransactionStatus): boolean {
  return NEXT[from].includes(to)
}

export function assertSettlement(from: TransactionStatus, to: TransactionStatus): void {
  if (!canSettle(from, to)) throw new DomainError(409, 'illegal_payment_transition', 'payments.illegalTransition', { from, to })
}

/** States from which a payment may move to `to`. */
export function settlementStatesBefore(to: TransactionStatus): TransactionStatus[] {
  return TRANSACTION_STATUSES.filter((from) => NEXT[from].includes(to))
}

/** Payments whose money the organiser keeps (some of it, after partial refunds). */
export const KEPT_STATUSES = ['completed', 'partially_refunded'] as const satisfies readonly TransactionStatus[]

export interface TransactionChange {
  result_code?: number | null
  failure_reason?: string | null
  refund_reason?: string | null
  refunded_minor?: number
  completed_at?: Date
  mpesa_receipt_number?: string | null
  paid_phone?: string | null
}

/**
 * Moves a payment (whose row the caller has locked) from the status it was read with to `to`. The
 * update is conditional on that status too, so a stale read can never overwrite a newer outcome.
 */
export async function moveTransaction(
  trx: Queryable, payment: { id: string; status: TransactionStatus }, to: TransactionStatus, now: Date, change: TransactionChange = {},
): Promise<void> {
  assertSettlement(payment.status, to)
  const result = await trx.updateTable('transactions').set({ ...change, status: to, updated_at: now })
    .where('id', '=', payment.id).where('status', '=', payment.status).executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new DomainError(409, 'payment_changed', 'payments.illegalTransition', { from: payment.status, to })
}

/**
 * Money the organiser sent back by hand (a refund Daraja would not make): the payment's refunded amount
 * becomes `refundedMinor`. It is `refunded` once nothing is left; money kept becomes partially refunded;
 * a payment already going back whole (or refunded, which is final) keeps its status. Returns the status.
 */
export async function recordRefundedByHand(
  trx: Queryable, payment: { id: string; status: TransactionStatus; amount_minor: number }, refundedMinor: number, now: Date,
): Promise<TransactionStatus> {
  const kept = (KEPT_STATUSES as readonly TransactionStatus[]).includes(payment.status)
  const to: TransactionStatus = refundedMinor >= payment.amount_minor && payment.status !== 'refund_requested' ? 'refunded'
    : kept ? 'partially_refunded' : payment.status
  if (to !== payment.status || canSettle(payment.status, to)) {
    await moveTransaction(trx, payment, to, now, { refunded_minor: refundedMinor })
    return to
  }
  const result = await trx.updateTable('transactions').set({ refunded_minor: refundedMinor, updated_at: now })
    .where('id', '=', payment.id).where('status', '=', payment.status).executeTakeFirst()
  if (Number(result.numUpdatedRows) !== 1) throw new DomainError(409, 'payment_changed', 'payments.illegalTransition', { from: payment.status, to })
  return to
}
