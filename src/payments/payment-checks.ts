/**
 * STK Query, for payments whose callback has not come (lost, late, or never sent): the check-payment
 * job runs about 90 seconds after the push, again every 30 seconds while the buyer has not answered,
 * and gives up (failed, "no answer") once a prompt can no longer be open. The hold sweep asks for a
 * check at once when a hold with a pending push runs out.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { Scheduler } from '../jobs/scheduler.ts'
import type { PaymentServices } from './checkout-service.ts'
import { darajaClientFor } from './daraja-access.ts'
import { loadCredentials } from './mpesa-credentials.ts'
import { findTransaction } from './payment-queries.ts'
import { applyPaymentResult, type ResultOutcome } from './payment-results.ts'
import { queueRefund } from './refunds.ts'

export const RECHECK_EVERY_MS = 30_000
/** A prompt left unanswered this long is over: Daraja times it out well before. */
export const NO_ANSWER_AFTER_MS = 5 * 60_000

export interface CheckRequest {
  paymentId: string
  origin: string
  attempt: number
}

export function queueCheck(scheduler: Scheduler, request: CheckRequest, runAt: Date) {
  return scheduler.enqueue({
    kind: 'check-payment', payload: { transactionId: request.paymentId, origin: request.origin, attempt: request.attempt }, runAt,
    dedupeKey: `check-payment:${request.paymentId}:${request.attempt}`,
  })
}

export async function checkPayment(db: Database, services: PaymentServices, request: CheckRequest, now: Date): Promise<ResultOutcome | 'pending'> {
  const found = await withContext(db, SYSTEM, async (trx) => {
    const payment = await findTransaction(trx, request.paymentId)
    if (payment?.status !== 'pending') return undefined
    return { payment, credentials: await loadCredentials(trx, services.secretKeys, payment.tenant_id) }
  })
  if (!found) return 'ignored'
  const { payment, credentials } = found
  const age = now.getTime() - payment.created_at.getTime()
  const answer = payment.checkout_request_id && credentials
    ? await darajaClientFor(services.daraja, credentials).stkQuery(payment.checkout_request_id)
    : { state: 'pending' as const }
  let outcome: ResultOutcome
  if (answer.state === 'pending') {
    if (age < NO_ANSWER_AFTER_MS) {
      await queueCheck(services.scheduler, { ...request, attempt: request.attempt + 1 }, new Date(now.getTime() + RECHECK_EVERY_MS))
      return 'pending'
    }
    outcome = await applyPaymentResult(db, services.secretKeys, payment.id, { kind: 'failure', resultCode: null, reason: 'no_answer' }, now)
  } else if (answer.resultCode === 0) {
    // STK Query confirms the amount we asked for but carries no receipt number
    outcome = await applyPaymentResult(db, services.secretKeys, payment.id,
      { kind: 'success', amountMinor: payment.amount_minor, receipt: null, phone: null }, now)
  } else {
    outcome = await applyPaymentResult(db, services.secretKeys, payment.id,
      { kind: 'failure', resultCode: answer.resultCode, reason: answer.resultDesc }, now)
  }
  if (outcome === 'refund_due') await queueRefund(services.scheduler, payment.id, request.origin, now)
  return outcome
}
