/**
 * The payment settlement service: everything that decides how a payment ends goes through here, and
 * every status change it makes goes through the transition table (settlement-table.ts). Callbacks
 * (callback-routes.ts only parses, authenticates, hands over and answers), STK Query (payment-checks.ts),
 * a push Daraja refused (checkout-service.ts), reversal results, the organiser's refunds and an event's
 * cancellation all come in through these functions.
 */
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { TransactionRow } from '../db/schema.ts'
import type { BackgroundServices } from '../services.ts'
import { queueCheck } from './payment-checks.ts'
import { lockTransaction, recordCheckoutRequestId } from './payment-queries.ts'
import { applyPaymentResult, type PaymentResult, type ResultOutcome } from './payment-results.ts'
import { applyReversalResult, openRefund, queueRefund, type RefundRequest, type ReversalResult } from './refunds.ts'
import { moveTransaction } from './settlement-table.ts'

export type { PaymentResult, ResultOutcome }

/**
 * Daraja's result for a payment, from STK Query or a callback already trusted: applied once, and a
 * payment that turned out to buy nothing has its refund queued.
 */
export async function settlePaymentResult(
  db: Database, services: BackgroundServices, paymentId: string, result: PaymentResult, now: Date,
): Promise<ResultOutcome> {
  const outcome = await applyPaymentResult(db, services.secretKeys, paymentId, result, now)
  if (outcome === 'refund_due') await queueRefund(services.scheduler, paymentId, now)
  return outcome
}

export type CallbackOutcome = ResultOutcome | 'unconfirmed'

/**
 * An STK callback whose URL secret matched `payment`. A success we cannot match to a recorded push, or
 * that contradicts a recorded outcome, is only taken once Daraja itself confirms it (STK Query): the
 * URL's secret alone must never be enough to issue tickets.
 */
export async function settleCallback(
  db: Database, services: BackgroundServices, payment: TransactionRow, checkoutRequestId: string, result: PaymentResult, now: Date,
  confirm: (payment: TransactionRow, checkoutRequestId: string) => Promise<boolean>,
): Promise<CallbackOutcome> {
  const unexpected = payment.checkout_request_id === null || payment.status !== 'pending'
  if (result.kind === 'success' && unexpected && payment.status !== 'completed') {
    if (!(await confirm(payment, checkoutRequestId))) {
      await queueCheck(services.scheduler, { paymentId: payment.id, attempt: 1, recheck: true }, now)
      return 'unconfirmed'
    }
  }
  if (payment.checkout_request_id === null) {
    // the callback overtook our own record of the push
    await withContext(db, SYSTEM, (trx) => recordCheckoutRequestId(trx, payment.id, checkoutRequestId))
  }
  return settlePaymentResult(db, services, payment.id, result, now)
}

/** A callback we could not use (it threw): STK Query settles the payment instead, a failed one too. */
export function settleLater(services: BackgroundServices, paymentId: string, now: Date) {
  return queueCheck(services.scheduler, { paymentId, attempt: 1, recheck: true }, now)
}

/** Daraja refused the push itself: nothing was sent. Only a pending payment moves (a fast callback may have settled it). */
export async function settlePushRefused(db: Database, paymentId: string, reason: string, now: Date): Promise<void> {
  await withContext(db, SYSTEM, async (trx) => {
    const payment = await lockTransaction(trx, paymentId)
    if (payment?.status !== 'pending') return
    await moveTransaction(trx, payment, 'failed', now, { failure_reason: reason.slice(0, 200) })
  })
}

/** A reversal's result, for the refund its URL named. */
export function settleReversal(db: Database, refundId: string, result: ReversalResult, now: Date) {
  return applyReversalResult(db, refundId, result, now)
}

/**
 * Opens a refund of a locked payment in the caller's transaction (the organiser's refund, an event's
 * cancellation); the refund sweep sends it. Returns undefined when nothing is left to refund.
 */
export async function refundInTransaction(trx: Queryable, payment: TransactionRow, request: RefundRequest) {
  return openRefund(trx, payment, request)
}
