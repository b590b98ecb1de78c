/**
 * STK Query, for payments whose callback has not come (lost, late, or never sent): the check-payment
 * job runs about 90 seconds after the push, again every 30 seconds while the buyer has not answered,
 * and gives up (failed, "no answer") once a prompt can no longer be open. The hold sweep asks for a
 * check at once when a hold with a pending push runs out.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { Scheduler } from '../jobs/scheduler.ts'
import type { TransactionRow } from '../db/schema.ts'
import type { BackgroundServices } from '../services.ts'
import { darajaClientFor } from './daraja-access.ts'
import { DarajaError, type StkQueryResult } from './daraja-client.ts'
import { DarajaAuthError } from './daraja-oauth.ts'
import { loadCredentials, type MpesaCredentials } from './mpesa-credentials.ts'
import { findTransaction } from './payment-queries.ts'
import type { ResultOutcome } from './payment-results.ts'
import { settlePaymentResult } from './settlement.ts'

export const RECHECK_EVERY_MS = 30_000
/** A prompt left unanswered this long is over: Daraja times it out well before. */
export const NO_ANSWER_AFTER_MS = 5 * 60_000

export interface CheckRequest {
  paymentId: string
  attempt: number
  /**
   * Also look at a payment already recorded as failed: a success callback that could not be confirmed
   * or applied asks for this, since the money may have been taken after all.
   */
  recheck?: boolean
}

export function queueCheck(scheduler: Scheduler, request: CheckRequest, runAt: Date) {
  return scheduler.enqueue({
    kind: 'check-payment', payload: { transactionId: request.paymentId, attempt: request.attempt, recheck: request.recheck ?? false }, runAt,
    dedupeKey: `check-payment:${request.paymentId}:${request.recheck ? 'recheck' : request.attempt}`,
  })
}

/** What Daraja says of a push; a failed query (Daraja busy, credentials gone) counts as "no word yet". */
async function askDaraja(services: BackgroundServices, credentials: MpesaCredentials | undefined, checkoutRequestId: string | null): Promise<StkQueryResult> {
  if (!checkoutRequestId || !credentials) return { state: 'pending' }
  try {
    return await darajaClientFor(services.daraja, credentials).stkQuery(checkoutRequestId)
  } catch (error) {
    if (error instanceof DarajaError || error instanceof DarajaAuthError) return { state: 'pending' }
    throw error
  }
}

/** True only when STK Query says this push was paid: how a success we cannot take on trust is confirmed. */
export async function paidPerDaraja(db: Database, services: BackgroundServices, payment: TransactionRow, checkoutRequestId: string): Promise<boolean> {
  const credentials = await withContext(db, SYSTEM, (trx) => loadCredentials(trx, services.secretKeys, payment.tenant_id))
  const answer = await askDaraja(services, credentials, checkoutRequestId)
  return answer.state === 'done' && answer.resultCode === 0
}

export async function checkPayment(db: Database, services: BackgroundServices, request: CheckRequest, now: Date): Promise<ResultOutcome | 'pending'> {
  const found = await withContext(db, SYSTEM, async (trx) => {
    const payment = await findTransaction(trx, request.paymentId)
    const wanted = payment?.status === 'pending' || (request.recheck && payment?.status === 'failed')
    if (!payment || !wanted) return undefined
    return { payment, credentials: await loadCredentials(trx, services.secretKeys, payment.tenant_id) }
  })
  if (!found) return 'ignored'
  const { payment, credentials } = found
  const answer = await askDaraja(services, credentials, payment.checkout_request_id)
  if (answer.state === 'done' && answer.resultCode === 0) {
    // STK Query confirms the amount we asked for but carries no receipt number (a later callback adds it)
    return settlePaymentResult(db, services, payment.id, { kind: 'success', amountMinor: payment.amount_minor, receipt: null, phone: null }, now)
  }
  if (payment.status !== 'pending') return 'ignored' // a recheck of a failed payment that Daraja does not call paid
  if (answer.state === 'done') {
    return settlePaymentResult(db, services, payment.id, { kind: 'failure', resultCode: answer.resultCode, reason: answer.resultDesc }, now)
  }
  if (now.getTime() - payment.created_at.getTime() < NO_ANSWER_AFTER_MS) {
    await queueCheck(services.scheduler, { paymentId: payment.id, attempt: request.attempt + 1 }, new Date(now.getTime() + RECHECK_EVERY_MS))
    return 'pending'
  }
  // a late success callback is still honoured
  return settlePaymentResult(db, services, payment.id, { kind: 'failure', resultCode: null, reason: 'no_answer' }, now)
}
