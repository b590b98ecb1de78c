/**
 * What happens when Daraja says how a payment ended, by callback or by STK Query. One database
 * transaction, started by locking the payment row, so duplicates and reorderings serialise: the first
 * success issues the tickets (and records their delivery message), later ones find it completed and do
 * nothing; a failure after a success changes nothing.
 *
 * A success is money received, so it is never dropped: if the tickets can no longer be had (the hold
 * lapsed and they were sold, or another payment already paid the reservation), the payment is kept as
 * refund_due, flagged for the manager, the buyer is told, and a Reversal is queued.
 */
import { sql } from 'kysely'
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { TransactionRow } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { formatDateTime, formatMoney } from '../i18n/format.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import { maskPhone } from '../lib/phone.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { issueToken } from '../accounts/one-time-tokens.ts'
import { issueReservationTickets } from '../tickets/issuing.ts'
import { issueResumeSecret } from '../tickets/resume-link.ts'
import { flagRepeatedFailures } from './failure-limits.ts'
import { guestFor } from './guest-buyers.ts'
import { lockTransaction, raiseFlag } from './payment-queries.ts'
import { recordBuyerNotice } from './buyer-notices.ts'
import { openRefund, receiptArrived } from './refunds.ts'
import { moveTransaction } from './settlement-table.ts'
import { settleResalePayment } from '../resale/resale-settlement.ts'
import { settleTransferFee } from '../transfers/transfer-fees.ts'

export type PaymentResult =
  | { kind: 'success'; amountMinor: number; receipt: string | null; phone: string | null }
  | { kind: 'failure'; resultCode: number | null; reason: string }

export type ResultOutcome =
  | 'completed'
  | 'failed'
  | 'refund_due'
  /** Nothing changed: a duplicate, a stale failure, or a result that does not match the payment. */
  | 'ignored'

/**
 * Applies a result. A deadlock with another transaction touching the same rows (the hold sweep, a
 * second payment) is retried a few times: the work is idempotent and money must not be dropped.
 */
export async function applyPaymentResult(
  db: Database, ring: KeyRing | undefined, paymentId: string, result: PaymentResult, now: Date,
): Promise<ResultOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await applyOnce(db, ring, paymentId, result, now)
    } catch (error) {
      const code = (error as { code?: unknown })?.code
      if (attempt >= 3 || (code !== '40P01' && code !== '40001')) throw error
    }
  }
}

function applyOnce(db: Database, ring: KeyRing | undefined, paymentId: string, result: PaymentResult, now: Date): Promise<ResultOutcome> {
  return withContext(db, SYSTEM, async (trx) => {
    const payment = await lockTransaction(trx, paymentId)
    // a payment buys a reservation's tickets, or pays a transfer's fee
    if (!payment || (!payment.reservation_id && !payment.transfer_id)) return 'ignored'
    if (result.kind === 'failure') {
      if (payment.status !== 'pending') return 'ignored'
      await moveTransaction(trx, payment, 'failed', now, { result_code: result.resultCode, failure_reason: result.reason.slice(0, 200) })
      await flagRepeatedFailures(trx, payment, now)
      if (payment.reservation_id && await holdStillRuns(trx, payment.reservation_id, now)) await recordDeliveryMessage(trx, ring, payment, payment.user_id, 'payment_failed', now)
      return 'failed'
    }
    if (result.amountMinor !== payment.amount_minor) return 'ignored'
    if (payment.status !== 'pending' && payment.status !== 'failed') {
      // settled by STK Query, which carries no receipt: the callback's receipt completes the record
      if (!result.receipt || payment.mpesa_receipt_number || await receiptTaken(trx, result.receipt, payment.id)) return 'ignored'
      await trx.updateTable('transactions').set({ mpesa_receipt_number: result.receipt, paid_phone: result.phone, updated_at: now })
        .where('id', '=', payment.id).execute()
      if (payment.status !== 'refund_due') return 'ignored'
      await receiptArrived(trx, payment.id, now) // the refund waiting for a receipt can go now
      return 'refund_due'
    }
    // a success after a recorded failure (a query that timed out, then the callback) is still money in
    if (result.receipt && await receiptTaken(trx, result.receipt, payment.id)) return 'ignored'
    await trx.updateTable('transactions').set({
      mpesa_receipt_number: result.receipt, paid_phone: result.phone, result_code: 0, failure_reason: null, completed_at: now, updated_at: now,
    }).where('id', '=', payment.id).execute()
    if (result.phone && result.phone !== payment.mpesa_phone) {
      await raiseFlag(trx, {
        tenantId: payment.tenant_id, eventId: payment.event_id, transactionId: payment.id, kind: 'phone_mismatch',
        detail: { expected: maskPhone(payment.mpesa_phone ?? ''), paid: maskPhone(result.phone) },
      })
    }
    return deliverPurchase(trx, ring, payment, now)
  })
}

type Trx = Parameters<typeof issueReservationTickets>[0]

/**
 * What money received buys, by the payment's type: the one dispatch on transaction_type. Each kind settles
 * in its own module, inside this transaction; what is left (a refund, the buyer's message) is common.
 */
function deliverPurchase(trx: Trx, ring: KeyRing | undefined, payment: TransactionRow, now: Date): Promise<ResultOutcome> {
  switch (payment.transaction_type) {
    case 'resale': return completeResale(trx, ring, payment, now)
    case 'transfer_fee': return completeTransferFee(trx, ring, payment, now)
    default: return completeOrRefund(trx, ring, payment, now)
  }
}

/** A resale: the listing is sold to the buyer (src/resale/resale-settlement.ts), or the money goes back. */
async function completeResale(trx: Trx, ring: KeyRing | undefined, payment: TransactionRow, now: Date): Promise<ResultOutcome> {
  const sale = await settleResalePayment(trx, ring, payment, now)
  if (sale.kind === 'gone') return refundDue(trx, ring, payment, sale.reason, now)
  await moveTransaction(trx, payment, 'completed', now)
  if (sale.kind === 'sold') await recordDeliveryMessage(trx, ring, payment, sale.buyerId, 'ticket_delivery', now)
  return 'completed'
}

/** A transfer's fee: the recipient is asked now (src/transfers/transfer-fees.ts), once; else the money goes back. */
async function completeTransferFee(trx: Trx, ring: KeyRing | undefined, payment: TransactionRow, now: Date): Promise<ResultOutcome> {
  const settled = await settleTransferFee(trx, ring, payment, now)
  if (settled.kind === 'gone') return refundDue(trx, ring, payment, settled.reason, now)
  await moveTransaction(trx, payment, 'completed', now)
  return 'completed'
}

async function completeOrRefund(trx: Trx, ring: KeyRing | undefined, payment: TransactionRow, now: Date) {
  const reservationId = payment.reservation_id!
  const reservation = await trx.selectFrom('reservations as r').innerJoin('events as e', 'e.id', 'r.event_id')
    .select(['r.status', 'r.user_id', 'e.status as event_status']).where('r.id', '=', reservationId)
    .forUpdate(['r']).executeTakeFirstOrThrow()
  if (reservation.status === 'paid') {
    const paidByThis = await trx.selectFrom('tickets').select('id').where('transaction_id', '=', payment.id).limit(1).executeTakeFirst()
    if (paidByThis) {
      // this very payment bought them (its status was overwritten meanwhile): complete it again, nothing more
      await moveTransaction(trx, payment, 'completed', now)
      return 'completed' as const
    }
    // another attempt already paid this reservation: this money has nothing to buy
    return refundDue(trx, ring, payment, 'duplicate_payment', now)
  }
  // the event was cancelled while the prompt was out: the money goes back, it never becomes a ticket
  if (reservation.event_status === 'cancelled') return refundDue(trx, ring, payment, 'event_cancelled', now)
  await sql`savepoint issue_tickets`.execute(trx)
  let buyerId: string | null = null
  try {
    buyerId = reservation.user_id ?? payment.user_id ?? await guestFor(trx, payment.mpesa_phone!)
    await issueReservationTickets(trx, ring, reservationId, now, { userId: buyerId, transactionId: payment.id })
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'hold_lost')) throw error
    await sql`rollback to savepoint issue_tickets`.execute(trx)
    await trx.updateTable('reservations').set({ status: 'expired', updated_at: now })
      .where('id', '=', reservationId).where('status', '=', 'held').execute()
    return refundDue(trx, ring, payment, 'tickets_gone', now)
  }
  await moveTransaction(trx, payment, 'completed', now)
  await recordDeliveryMessage(trx, ring, payment, buyerId, 'ticket_delivery', now)
  return 'completed' as const
}

async function refundDue(trx: Queryable, ring: KeyRing | undefined, payment: TransactionRow, reason: 'duplicate_payment' | 'tickets_gone' | 'event_cancelled', now: Date) {
  // the whole payment goes back (openRefund moves it to refund_due)
  const refund = await openRefund(trx, payment, { amountMinor: payment.amount_minor, reason, now })
  if (reason === 'event_cancelled' && payment.mpesa_phone) {
    const event = await trx.selectFrom('events').select('title').where('id', '=', payment.event_id).executeTakeFirstOrThrow()
    await recordBuyerNotice(trx, {
      type: 'refund_issued', tenantId: payment.tenant_id, eventId: payment.event_id, userId: payment.user_id, to: payment.mpesa_phone,
      lang: payment.lang, message: 'refunds.notice.issued',
      params: { event: event.title, amount: formatMoney(payment.amount_minor, payment.currency, payment.lang) },
      data: { transactionId: payment.id, refundId: refund.id, amountMinor: payment.amount_minor },
    }, now)
  } else {
    await raiseFlag(trx, {
      tenantId: payment.tenant_id, eventId: payment.event_id, transactionId: payment.id,
      kind: reason === 'duplicate_payment' ? 'duplicate_payment' : 'refund_due', detail: { reason },
    })
    await recordDeliveryMessage(trx, ring, payment, payment.user_id, 'refund_issued', now)
  }
  return 'refund_due' as const
}

/** A failed attempt is worth a message only while the buyer can still pay for the same hold. */
async function holdStillRuns(trx: Queryable, reservationId: string, now: Date): Promise<boolean> {
  const hold = await trx.selectFrom('reservations').select(['status', 'expires_at']).where('id', '=', reservationId).executeTakeFirst()
  return hold?.status === 'held' && hold.expires_at > now
}

async function receiptTaken(trx: Queryable, receipt: string, paymentId: string) {
  const other = await trx.selectFrom('transactions').select('id').where('mpesa_receipt_number', '=', receipt)
    .where('id', '<>', paymentId).executeTakeFirst()
  return other !== undefined
}

/** A guest's link to their tickets stays usable this long (it works once). */
export const TICKET_LINK_TTL_MS = 30 * 24 * 3600 * 1000

/**
 * The message that tells the buyer the outcome, written in the same transaction as the outcome (the
 * dispatcher delivers it), where the buyer asked at checkout: email, WhatsApp to the phone that paid,
 * or both. A guest gets a single-use link that signs them in on any device (sealed at rest); an account
 * holder gets the tickets page.
 */
async function recordDeliveryMessage(
  trx: Queryable, ring: KeyRing | undefined, payment: TransactionRow, userId: string | null,
  type: 'ticket_delivery' | 'payment_failed' | 'refund_issued', now: Date,
) {
  const lang = payment.lang
  // one failure notice per reservation: a later failure writes nothing (and issues no link)
  if (type === 'payment_failed' && await trx.selectFrom('notifications').select('id')
    .where('dedupe_key', 'like', `payment_failed:${payment.reservation_id}:%`).executeTakeFirst()) return
  const event = await trx.selectFrom('events').select(['title', 'starts_at', 'venue_name', 'venue_city']).where('id', '=', payment.event_id)
    .executeTakeFirst()
  const buyer = userId ? await trx.selectFrom('users').select(['name']).where('id', '=', userId).executeTakeFirst() : undefined
  const ticketCount = payment.reservation_id
    ? (await trx.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n')).where('reservation_id', '=', payment.reservation_id)
      .executeTakeFirst())?.n ?? 0
    : 0
  const origin = payment.origin ?? ''
  const secrets: Record<string, string> = type === 'ticket_delivery'
    ? { ticketsLink: await ticketsLink(trx, origin, userId, now) }
    : type === 'payment_failed' ? await retryLink(trx, origin, payment.reservation_id!, now) : {}
  await enqueueNotification(trx, {
    type, channel: payment.notify_channel ?? (payment.buyer_email ? 'both' : 'whatsapp'),
    email: payment.buyer_email, phone: payment.mpesa_phone,
    tenantId: payment.tenant_id, userId, eventId: payment.event_id, lang, now, ring, secrets,
    data: {
      buyerName: buyer?.name ?? '', eventTitle: event?.title ?? '', venue: event ? `${event.venue_name}, ${event.venue_city}` : '',
      eventStart: event ? formatDateTime(event.starts_at, lang) : '', amount: formatMoney(payment.amount_minor, payment.currency, lang),
      ticketCount: Number(ticketCount),
    },
    reservationId: payment.reservation_id, transactionId: payment.id,
    // one failure notice per reservation, however many attempts fail
    dedupeKey: type === 'payment_failed' ? `payment_failed:${payment.reservation_id}` : undefined,
  })
}

/** The single-use link back to the same hold, on any device, while it runs. */
async function retryLink(trx: Queryable, origin: string, reservationId: string, now: Date): Promise<Record<string, string>> {
  const secret = await issueResumeSecret(trx, reservationId, now)
  return { retryLink: secret ? `${origin}/reservations/resume/${secret}` : `${origin}/reservations/${reservationId}` }
}

async function ticketsLink(trx: Queryable, origin: string, userId: string | null, now: Date): Promise<string> {
  const owner = userId ? await trx.selectFrom('users').select('is_guest').where('id', '=', userId).executeTakeFirst() : undefined
  if (!owner?.is_guest) return `${origin}/tickets`
  const secret = await issueToken(trx, { purpose: 'ticket_link', userId: null, target: userId!, ttlMs: TICKET_LINK_TTL_MS, now })
  return `${origin}/tickets/open/${secret}`
}
