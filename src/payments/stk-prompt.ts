/**
 * Sending an STK Push for a payment row already committed (with its callback secret hashed), outside any
 * database transaction: checkout and transfer fees alike. A push Daraja refused marks the payment failed
 * (nothing was sent) and answers 503; one that went unanswered is left to the callback or STK Query.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { TransactionRow } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'
import type { BackgroundServices } from '../services.ts'
import { darajaClientFor } from './daraja-access.ts'
import { DarajaError } from './daraja-client.ts'
import { DarajaAuthError } from './daraja-oauth.ts'
import type { MpesaCredentials } from './mpesa-credentials.ts'
import { queueCheck } from './payment-checks.ts'
import { settlePushRefused } from './settlement.ts'

/** With no callback by then, STK Query asks. */
export const QUERY_AFTER_MS = 90_000
/** M-Pesa takes whole shillings up to KES 250,000 per payment. */
export const MPESA_MAX_MINOR = 250_000_00

/** Whether M-Pesa can carry this amount in one STK Push: whole shillings, above zero, within the cap. */
export function payableByMpesa(amountMinor: number): boolean {
  return amountMinor > 0 && amountMinor % 100 === 0 && amountMinor <= MPESA_MAX_MINOR
}

export interface PromptRequest {
  payment: Pick<TransactionRow, 'id' | 'amount_minor'>
  /** The callback URL's secret (its SHA-256 is on the payment row). */
  secret: string
  credentials: MpesaCredentials
  phone: string
  origin: string
  /** What the buyer's phone shows (Daraja's TransactionDesc). */
  description: string
  now: Date
}

/** Sends the prompt and queues the STK Query that follows it up. */
export async function sendPrompt(db: Database, services: BackgroundServices, request: PromptRequest): Promise<void> {
  const { payment, now } = request
  try {
    const accepted = await darajaClientFor(services.daraja, request.credentials).stkPush({
      amountMinor: payment.amount_minor, phone: request.phone,
      callbackUrl: `${request.origin}/payments/mpesa/callback/${payment.id}/${request.secret}`,
      accountReference: payment.id.replace(/-/g, '').slice(0, 12).toUpperCase(),
      description: request.description,
    })
    // the callback may have come first and recorded the same CheckoutRequestID
    await withContext(db, SYSTEM, (trx) => trx.updateTable('transactions')
      .set({ checkout_request_id: accepted.checkoutRequestId, merchant_request_id: accepted.merchantRequestId, updated_at: now })
      .where('id', '=', payment.id).execute())
  } catch (error) {
    // no answer: Daraja may have sent the prompt; its callback (or the check job) will tell
    if (!(error instanceof DarajaError && error.errorCode === 'unreachable')) {
      // refused: nothing was sent. Only a pending payment moves: a fast callback may already have settled it.
      await settlePushRefused(db, payment.id, error instanceof DarajaError ? `push_refused:${error.errorCode}` : 'push_refused', now)
      if (error instanceof DarajaError || error instanceof DarajaAuthError) throw new DomainError(503, 'mpesa_unavailable', 'checkout.mpesaUnavailable')
      throw error
    }
  }
  await queueCheck(services.scheduler, { paymentId: payment.id, attempt: 1 }, new Date(now.getTime() + QUERY_AFTER_MS))
}
