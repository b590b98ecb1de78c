/**
 * Transfer fees. Where the event charges one, the sender pays it by M-Pesa after confirming with their
 * code, and only then is the recipient asked. The payment is a `transfer_fee` transaction naming its
 * transfer (with the tenant's commission, like any payment), sent by the checkout's `sendPrompt`; its
 * result comes through the settlement service, whose dispatch on the transaction type calls
 * `settleTransferFee` in the same database transaction. The transfer row is locked there, so a fee is
 * taken once: a second payment, or one arriving after the transfer was cancelled or expired, is refunded.
 */
import type { Transaction } from 'kysely'
import type { DB } from '../db/schema.ts'
import type { TransactionRow } from '../db/schema.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { normalizeKenyanPhone } from '../lib/phone.ts'
import { refuseRepeatedFailures } from '../payments/failure-limits.ts'
import { loadCredentials } from '../payments/mpesa-credentials.ts'
import { payableByMpesa, sendPrompt } from '../payments/stk-prompt.ts'
import type { BackgroundServices } from '../services.ts'
import { findSenderTransfer, latestFeePayment, lockTicketForTransfer, lockTransfer } from './transfer-queries.ts'
import { askRecipient, assertPending, endTransfer, feeDue, type TransferDeps } from './transfer-service.ts'

type Trx = Transaction<DB>

/** Where a transfer's fee stands: due (never tried, or the last try failed), a prompt out, or paid. */
export type FeeStatus = 'due' | 'failed' | 'pending' | 'paid'

export interface TransferFee {
  amountMinor: number
  currency: string
  status: FeeStatus
  /** The latest payment attempt, if any. */
  transactionId: string | null
}

/** The fee's state from the transfer row and its latest payment attempt. */
export function feeOf(
  transfer: { transfer_fee_minor: number; fee_paid_at: Date | null; fee_transaction_id: string | null },
  latest: { id: string; status: string; currency: string } | undefined,
): TransferFee | null {
  if (transfer.transfer_fee_minor <= 0) return null
  const status: FeeStatus = transfer.fee_paid_at ? 'paid'
    : latest?.status === 'pending' ? 'pending' : latest?.status === 'failed' ? 'failed' : 'due'
  return {
    amountMinor: transfer.transfer_fee_minor, currency: latest?.currency ?? 'KES', status,
    transactionId: transfer.fee_transaction_id ?? latest?.id ?? null,
  }
}

export interface FeePaymentRequest {
  transferId: string
  /** The transfer's sender (the acting owner). */
  userId: string
  phone: string
}

/**
 * Sends the STK Push for a confirmed transfer's fee. A prompt already out is the answer to a second
 * tap; no fee due (none charged, already paid) or a transfer not confirmed yet or over is a 409.
 * Returns the payment's id.
 */
export async function payTransferFee(deps: TransferDeps, services: BackgroundServices, request: FeePaymentRequest): Promise<{ transactionId: string; started: boolean }> {
  const phone = normalizeKenyanPhone(request.phone)
  if (!phone) throw new DomainError(422, 'invalid_phone', 'checkout.invalidPhone')
  const secret = randomToken(32)
  const prepared = await withContext(deps.db, SYSTEM, async (trx) => {
    const transfer = await lockTransfer(trx, request.transferId)
    if (!transfer || transfer.from_user_id !== request.userId) throw new NotFoundError()
    assertPending(transfer, deps.now)
    if (!feeDue(transfer)) throw new DomainError(409, transfer.fee_paid_at ? 'fee_paid' : 'no_fee_due', transfer.fee_paid_at ? 'transfers.feePaid' : 'transfers.noFeeDue')
    if (!transfer.sender_confirmed_at) throw new DomainError(409, 'not_confirmed', 'transfers.confirmFirst')
    const pending = await latestFeePayment(trx, transfer.id)
    if (pending?.status === 'pending') return { started: false as const, transactionId: pending.id }
    await refuseRepeatedFailures(trx, phone, request.userId, deps.now)
    if (!payableByMpesa(transfer.transfer_fee_minor)) throw new DomainError(409, 'amount_not_payable', 'checkout.amountNotPayable')
    const ticket = await trx.selectFrom('tickets as t').innerJoin('tenants as tn', 'tn.id', 't.tenant_id')
      .select(['t.event_id', 't.currency', 'tn.commission_rate_bps']).where('t.id', '=', transfer.ticket_id).executeTakeFirstOrThrow()
    const credentials = await loadCredentials(trx, services.secretKeys, transfer.tenant_id)
    if (!credentials) throw new DomainError(409, 'mpesa_not_configured', 'checkout.notConfigured')
    const payment = await trx.insertInto('transactions').values({
      tenant_id: transfer.tenant_id, event_id: ticket.event_id, ticket_id: transfer.ticket_id, transfer_id: transfer.id,
      user_id: request.userId, amount_minor: transfer.transfer_fee_minor, currency: ticket.currency, transaction_type: 'transfer_fee',
      commission_minor: Math.round(transfer.transfer_fee_minor * ticket.commission_rate_bps / 10_000),
      status: 'pending', mpesa_phone: phone, callback_secret_hash: await sha256Hex(secret),
      lang: deps.lang, origin: deps.origin, notify_channel: 'whatsapp', created_at: deps.now, updated_at: deps.now,
    }).returningAll().executeTakeFirstOrThrow()
    return { started: true as const, payment, credentials }
  })
  if (!prepared.started) return { transactionId: prepared.transactionId, started: false }
  await sendPrompt(deps.db, services, {
    payment: prepared.payment, secret, credentials: prepared.credentials, phone, origin: deps.origin, description: 'Tikiti transfer fee', now: deps.now,
  })
  return { transactionId: prepared.payment.id, started: true }
}

export type FeeSettlement =
  | { kind: 'paid' }
  /** The money has nothing to pay for: refunded whole. */
  | { kind: 'gone'; reason: 'duplicate_payment' | 'tickets_gone' }

/**
 * Money received for a transfer's fee, inside the payment's transaction (its row locked): the first
 * payment of a transfer still running marks the fee paid and asks the recipient; anything else is gone.
 */
export async function settleTransferFee(trx: Trx, ring: KeyRing | undefined, payment: TransactionRow, now: Date): Promise<FeeSettlement> {
  const transfer = payment.transfer_id ? await lockTransfer(trx, payment.transfer_id) : undefined
  if (!transfer) return { kind: 'gone', reason: 'tickets_gone' }
  if (transfer.fee_paid_at) return transfer.fee_transaction_id === payment.id ? { kind: 'paid' } : { kind: 'gone', reason: 'duplicate_payment' }
  if (transfer.status === 'pending' && transfer.expires_at <= now) {
    // its 24 hours are over though no sweep has run yet: it ends now, the sender's QR re-armed
    await endTransfer(trx, ring, transfer, now, 'expired')
    return { kind: 'gone', reason: 'tickets_gone' }
  }
  if (transfer.status !== 'pending') return { kind: 'gone', reason: 'tickets_gone' }
  const ticket = await lockTicketForTransfer(trx, transfer.ticket_id)
  if (!ticket || ticket.status !== 'active' || ticket.user_id !== transfer.from_user_id || ticket.event_status === 'cancelled') {
    await endTransfer(trx, ring, transfer, now, 'cancelled')
    return { kind: 'gone', reason: 'tickets_gone' }
  }
  await trx.updateTable('transfers').set({ fee_paid_at: now, fee_transaction_id: payment.id }).where('id', '=', transfer.id).execute()
  await askRecipient(trx, { now, ring, origin: payment.origin ?? '' }, transfer)
  return { kind: 'paid' }
}

/** A transfer as its sender sees it, with where its fee stands (row-level security: parties only). */
export async function senderTransferView(trx: Trx, transferId: string, userId: string) {
  const transfer = await findSenderTransfer(trx, transferId, userId)
  if (!transfer) return undefined
  const latest = transfer.transfer_fee_minor > 0 ? await latestFeePayment(trx, transfer.id) : undefined
  return { transfer, fee: feeOf(transfer, latest) }
}
