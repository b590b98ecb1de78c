/**
 * Refunds of payments that bought nothing (late after the tickets were sold, or a second payment for
 * an already paid reservation), by M-Pesa Reversal. Reversal needs the tenant's initiator credentials
 * and the M-Pesa receipt; without them the payment stays refund_due on the manager's reconciliation
 * page, flagged, to be refunded by hand.
 */
import { z } from 'zod'
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'
import type { Scheduler } from '../jobs/scheduler.ts'
import type { BackgroundServices } from '../services.ts'
import { darajaClientFor } from './daraja-access.ts'
import { DarajaError } from './daraja-client.ts'
import { loadCredentials } from './mpesa-credentials.ts'
import { lockTransaction, setTransactionStatus } from './payment-queries.ts'

export function queueRefund(scheduler: Scheduler, paymentId: string, now: Date) {
  return scheduler.enqueue({ kind: 'refund-payment', payload: { transactionId: paymentId }, runAt: now, dedupeKey: `refund:${paymentId}` })
}

/**
 * The refund-payment job: asks Daraja to reverse the payment. Safe to run twice (only refund_due moves).
 * When Daraja refused, the payment goes back to refund_due and the job retries; when we cannot know
 * whether Daraja took the request (no answer), it stays refund_requested: its result may still come
 * to the same URL, and asking again could reverse twice.
 */
export async function requestRefund(db: Database, services: BackgroundServices, paymentId: string, now: Date) {
  const secret = randomToken(32)
  const prepared = await withContext(db, SYSTEM, async (trx) => {
    const payment = await lockTransaction(trx, paymentId)
    if (payment?.status !== 'refund_due' || !payment.mpesa_receipt_number || !payment.origin) return undefined
    const credentials = await loadCredentials(trx, services.secretKeys, payment.tenant_id)
    if (!credentials?.secrets.initiatorName || !credentials.secrets.securityCredential) return undefined
    // the reversal result proves itself with a fresh secret; the purchase's callbacks are done with
    await trx.updateTable('transactions').set({ status: 'refund_requested', callback_secret_hash: await sha256Hex(secret), updated_at: now })
      .where('id', '=', paymentId).execute()
    return { payment, credentials }
  })
  if (!prepared) return
  const resultUrl = `${prepared.payment.origin}/payments/mpesa/reversal/${paymentId}/${secret}`
  try {
    const accepted = await darajaClientFor(services.daraja, prepared.credentials).reversal({
      receipt: prepared.payment.mpesa_receipt_number!, amountMinor: prepared.payment.amount_minor,
      resultUrl, timeoutUrl: resultUrl, remarks: 'Tikiti refund',
    })
    await withContext(db, SYSTEM, (trx) => trx.updateTable('transactions')
      .set({ reversal_conversation_id: accepted.conversationId, updated_at: now }).where('id', '=', paymentId).execute())
  } catch (error) {
    if (error instanceof DarajaError && error.errorCode === 'unreachable') {
      await withContext(db, SYSTEM, (trx) => setTransactionStatus(trx, paymentId, 'refund_requested', now, { refund_reason: 'reversal_unconfirmed' }))
      return
    }
    await withContext(db, SYSTEM, (trx) => setTransactionStatus(trx, paymentId, 'refund_due', now))
    throw error // the scheduler retries with backoff
  }
}

export const reversalResultBody = z.object({
  Result: z.object({
    ResultType: z.coerce.number().optional(),
    ResultCode: z.union([z.number(), z.string()]),
    ResultDesc: z.string().max(500),
    ConversationID: z.string().max(100).optional(),
    TransactionID: z.string().max(100).optional(),
  }),
})

/** Daraja's word on a reversal: refunded, or back to refund_due with the reason. */
export async function applyReversalResult(db: Database, paymentId: string, result: z.output<typeof reversalResultBody>['Result'], now: Date) {
  await withContext(db, SYSTEM, async (trx) => {
    const payment = await lockTransaction(trx, paymentId)
    if (payment?.status !== 'refund_requested') return
    if (String(result.ResultCode) === '0') {
      await setTransactionStatus(trx, paymentId, 'refunded', now)
    } else {
      await setTransactionStatus(trx, paymentId, 'refund_due', now, { refund_reason: `reversal_failed:${String(result.ResultCode).slice(0, 20)}` })
    }
  })
}
