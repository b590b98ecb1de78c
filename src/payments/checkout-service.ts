/**
 * Checkout: an STK Push for a held reservation, and what the buyer sees of it afterwards. The payment
 * row (with its callback secret, hashed) is committed before Daraja is called, so a callback can never
 * arrive for a payment we do not know; the call itself runs outside any database transaction.
 */
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { TransactionRow } from '../db/schema.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import type { Lang, MessageKey } from '../i18n/index.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'
import { maskPhone, normalizeKenyanPhone } from '../lib/phone.ts'
import type { BackgroundServices } from '../services.ts'
import { refuseTooManyPhoneHolds } from '../tickets/hold-limits.ts'
import { holdsReservationToken } from '../tickets/reservations.ts'
import { loadCredentials } from './mpesa-credentials.ts'
import { refuseRepeatedFailures } from './failure-limits.ts'
import { extendHold, findTransaction, pendingTransactionOf } from './payment-queries.ts'
import { payableByMpesa, sendPrompt } from './stk-prompt.ts'

/** While a prompt is out, the hold lasts at least this long: Daraja gives up on an unanswered prompt well before. */
export const PUSH_HOLD_MS = 4 * 60_000
export { QUERY_AFTER_MS } from './stk-prompt.ts'

export interface PaymentJson {
  id: string
  reservationId: string
  status: TransactionRow['status']
  amount: { amountMinor: number; currency: string }
  phone: string | null
  /** Daraja's result code when it ended, and a message for the buyer when it failed. */
  resultCode: number | null
  reason?: { code: string; message: MessageKey }
  createdAt: string
}

export interface StartPaymentRequest {
  reservationId: string
  /** The reservation's bearer token (cookie or Authorization header). */
  token: string
  phone: string
  /** Where to email the tickets (optional). */
  email?: string
  /** email | whatsapp | both; default both with an email, else whatsapp. */
  channel?: string
  userId: string | null
  /** Origin for the callback URL: PUBLIC_URL (outside production, the request's); none means no M-Pesa. */
  origin: string | undefined
  /** The buyer's language, for the messages the outcome sends. */
  lang: Lang
  /** Open holds of one event a phone may be paying for (hold-limits.ts); 0 or absent: no cap. */
  maxHoldsPerPhone?: number
  now: Date
}

export async function startPayment(db: Database, services: BackgroundServices, request: StartPaymentRequest): Promise<PaymentJson> {
  const phone = normalizeKenyanPhone(request.phone)
  if (!phone) throw new DomainError(422, 'invalid_phone', 'checkout.invalidPhone')
  const contact = messageContact(request.email, request.channel)
  const secret = randomToken(32)
  const prepared = await withContext(db, SYSTEM, async (trx) => {
    const reservation = await trx.selectFrom('reservations as r').innerJoin('tenants as t', 't.id', 'r.tenant_id')
      .select(['r.id', 'r.tenant_id', 'r.event_id', 'r.user_id', 'r.status', 'r.expires_at', 'r.access_token_hash', 'r.total_minor',
        'r.currency', 'r.listing_id', 't.commission_rate_bps'])
      .where('r.id', '=', request.reservationId).forUpdate(['r']).executeTakeFirst()
    if (!reservation || !(await holdsReservationToken(reservation, request.token))) throw new NotFoundError()
    if (reservation.status === 'paid') throw new DomainError(409, 'already_paid', 'checkout.alreadyPaid')
    if (reservation.status !== 'held' || reservation.expires_at <= request.now) throw new DomainError(409, 'hold_expired', 'hold.expired')
    const pending = await pendingTransactionOf(trx, reservation.id)
    if (pending) return { started: false as const, payment: pending }
    await refuseRepeatedFailures(trx, phone, request.userId, request.now)
    await refuseTooManyPhoneHolds(trx, { eventId: reservation.event_id, reservationId: reservation.id }, phone,
      request.maxHoldsPerPhone ?? 0, request.now)
    if (reservation.total_minor === 0) throw new DomainError(409, 'nothing_to_pay', 'checkout.nothingToPay')
    if (!payableByMpesa(reservation.total_minor)) {
      throw new DomainError(409, 'amount_not_payable', 'checkout.amountNotPayable')
    }
    if (!request.origin) throw new DomainError(409, 'mpesa_not_configured', 'checkout.notConfigured')
    const credentials = await loadCredentials(trx, services.secretKeys, reservation.tenant_id)
    if (!credentials) throw new DomainError(409, 'mpesa_not_configured', 'checkout.notConfigured')
    const payment = await trx.insertInto('transactions').values({
      tenant_id: reservation.tenant_id, event_id: reservation.event_id, user_id: request.userId ?? reservation.user_id,
      reservation_id: reservation.id, amount_minor: reservation.total_minor, currency: reservation.currency,
      // a hold on a resale listing is paid like any hold, as a resale (settled by src/resale/resale-settlement.ts)
      transaction_type: reservation.listing_id ? 'resale' : 'purchase',
      commission_minor: Math.round(reservation.total_minor * reservation.commission_rate_bps / 10_000),
      status: 'pending', mpesa_phone: phone, callback_secret_hash: await sha256Hex(secret),
      lang: request.lang, origin: request.origin, created_at: request.now, updated_at: request.now,
      buyer_email: contact.email ?? await confirmedEmailOf(trx, request.userId ?? reservation.user_id), notify_channel: contact.channel,
    }).returningAll().executeTakeFirstOrThrow()
    await extendHold(trx, reservation.id, new Date(request.now.getTime() + PUSH_HOLD_MS), request.now)
    return { started: true as const, payment, credentials }
  })
  // a double tap, or a second device: the prompt already on its way is the answer
  if (!prepared.started) return paymentJson(prepared.payment)
  const { payment, credentials } = prepared

  await sendPrompt(db, services, { payment, secret, credentials, phone, origin: request.origin!, description: 'Tikiti tickets', now: request.now })
  return paymentJson({ ...payment, status: 'pending' })
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]{2,}$/

/**
 * How the buyer wants to hear about the order. No channel: both with an email, else WhatsApp to the
 * paying phone (choosing WhatsApp, or giving no email, is the buyer's opt-in, as the form says).
 */
export function messageContact(emailText: string | undefined, channelText: string | undefined) {
  const email = emailText?.trim() || undefined
  if (email && (email.length > 254 || !EMAIL.test(email))) throw new DomainError(422, 'invalid_email', 'checkout.invalidEmail')
  const channel = channelText?.trim() || (email ? 'both' : 'whatsapp')
  if (channel !== 'email' && channel !== 'whatsapp' && channel !== 'both') throw new DomainError(422, 'invalid_channel', 'checkout.invalidChannel')
  if (channel !== 'whatsapp' && !email) throw new DomainError(422, 'email_needed', 'checkout.emailNeeded')
  return { email, channel: channel as 'email' | 'whatsapp' | 'both' }
}

/** A signed-in buyer who gave no email gets their confirmed one. */
async function confirmedEmailOf(trx: Queryable, userId: string | null): Promise<string | null> {
  if (!userId) return null
  const user = await trx.selectFrom('users').select(['email', 'email_verified_at']).where('id', '=', userId).executeTakeFirst()
  return user?.email && user.email_verified_at ? user.email : null
}

/** A payment for the holder of its reservation's token; anyone else gets undefined (a 404). */
export async function findPayment(db: Database, id: string, token: string): Promise<PaymentJson | undefined> {
  return withContext(db, SYSTEM, async (trx) => {
    const payment = await findTransaction(trx, id)
    if (!payment?.reservation_id) return undefined
    const reservation = await trx.selectFrom('reservations').select('access_token_hash')
      .where('id', '=', payment.reservation_id).executeTakeFirst()
    if (!reservation || !(await holdsReservationToken(reservation, token))) return undefined
    return paymentJson(payment)
  })
}

/** The latest payment attempt of a reservation (the checkout page shows it). */
export function latestPaymentOf(trx: Queryable, reservationId: string) {
  return trx.selectFrom('transactions').selectAll().where('reservation_id', '=', reservationId)
    .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst()
}

export function paymentJson(payment: TransactionRow): PaymentJson {
  return {
    id: payment.id,
    reservationId: payment.reservation_id ?? '',
    status: payment.status,
    amount: { amountMinor: payment.amount_minor, currency: payment.currency },
    phone: payment.mpesa_phone ? maskPhone(payment.mpesa_phone) : null,
    resultCode: payment.result_code,
    ...(payment.status === 'failed' || payment.status.startsWith('refund') ? { reason: failureReason(payment) } : {}),
    createdAt: payment.created_at.toISOString(),
  }
}

/** Daraja's result codes, as the buyer should understand them. */
export function failureReason(payment: Pick<TransactionRow, 'status' | 'result_code' | 'failure_reason'> & { refund_reason?: string | null }): { code: string; message: MessageKey } {
  if (payment.status.startsWith('refund') && payment.refund_reason === 'event_cancelled') {
    return { code: 'event_cancelled', message: 'payment.failed.refundCancelled' }
  }
  if (payment.status.startsWith('refund')) return { code: 'refund', message: 'payment.failed.refund' }
  if (payment.failure_reason?.startsWith('push_refused')) return { code: 'push_refused', message: 'payment.failed.pushRefused' }
  if (payment.failure_reason === 'no_answer') return { code: 'no_answer', message: 'payment.failed.noAnswer' }
  switch (payment.result_code) {
    case 1031:
    case 1032: return { code: 'cancelled', message: 'payment.failed.cancelled' }
    case 2001: return { code: 'wrong_pin', message: 'payment.failed.wrongPin' }
    case 1: return { code: 'insufficient_funds', message: 'payment.failed.insufficientFunds' }
    case 1037: return { code: 'unreachable', message: 'payment.failed.unreachable' }
    case 1019: return { code: 'expired', message: 'payment.failed.expired' }
    case 17:
    case 1001: return { code: 'busy', message: 'payment.failed.busy' }
    case 2:
    case 3:
    case 4:
    case 8: return { code: 'limit', message: 'payment.failed.limit' }
    default: return { code: 'failed', message: 'payment.failed.generic' }
  }
}
