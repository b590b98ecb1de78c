/**
 * Refunds by M-Pesa Reversal: of a whole payment (it bought nothing, or its event was cancelled) or of
 * some of its tickets (the organiser's partial refund). Each refund is a `refunds` row with its own
 * life: due → requested → completed, back to due when Daraja refuses (retried with backoff), and
 * manual (flagged, to refund by hand) when it keeps refusing or the organiser has no initiator
 * credentials. A payment has one refund open at a time (a unique index), so one receipt is never
 * reversed twice at once; only a `due` refund is ever sent, so running the work again refunds nothing
 * twice. Payment status changes go through the settlement table (settlement-table.ts).
 */
import { sql } from 'kysely'
import { z } from 'zod'
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { RefundReason, RefundRow, TransactionRow } from '../db/schema.ts'
import { formatMoney } from '../i18n/format.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'
import { DomainError } from '../lib/domain-errors.ts'
import type { Scheduler } from '../jobs/scheduler.ts'
import type { BackgroundServices } from '../services.ts'
import { recordBuyerNotice } from './buyer-notices.ts'
import { darajaClientFor } from './daraja-access.ts'
import { DarajaError } from './daraja-client.ts'
import { DarajaAuthError } from './daraja-oauth.ts'
import { loadCredentials } from './mpesa-credentials.ts'
import { lockTransaction, raiseFlag } from './payment-queries.ts'
import { moveTransaction, recordRefundedByHand } from './settlement-table.ts'
import { resoldValueOf } from '../resale/listing-queries.ts'

/** Daraja refusing this many times makes a refund one to do by hand. */
export const MAX_REVERSAL_ATTEMPTS = 3
/** The refund sweep asks Daraja for at most this many reversals a run (one run every 15 s): a pace Daraja accepts. */
export const REVERSALS_PER_RUN = 10
/** A refund whose payment has no M-Pesa receipt yet (settled by STK Query) waits this long for the callback that brings it. */
export const WAIT_FOR_RECEIPT_MS = 5 * 60_000

function retryAt(attempts: number, now: Date): Date {
  return new Date(now.getTime() + 2 ** attempts * 30_000)
}

export function queueRefund(scheduler: Scheduler, paymentId: string, now: Date) {
  return scheduler.enqueue({ kind: 'refund-payment', payload: { transactionId: paymentId }, runAt: now, dedupeKey: `refund:${paymentId}` })
}

/** Asks for a refund sweep now (after a cancellation), rather than at the next tick. */
export function queueRefundSweep(scheduler: Scheduler, now: Date) {
  return scheduler.enqueue({ kind: 'refund-sweep', runAt: now, dedupeKey: `refund-sweep:${Math.floor(now.getTime() / 15_000)}` })
}

export interface RefundRequest {
  amountMinor: number
  reason: RefundReason
  note?: string | null
  ticketIds?: string[]
  requestedBy?: string | null
  now: Date
}

/**
 * Opens a refund of a payment the caller has locked, in the caller's transaction. A refund of all that
 * is left moves the payment to refund_due; a smaller one leaves it as it is until the money is back.
 */
export async function openRefund(trx: Queryable, payment: TransactionRow, request: RefundRequest): Promise<RefundRow> {
  const left = payment.amount_minor - payment.refunded_minor
  if (request.amountMinor <= 0 || request.amountMinor > left) throw new DomainError(422, 'refund_too_large', 'refunds.tooLarge')
  const open = await trx.selectFrom('refunds').select('id').where('transaction_id', '=', payment.id)
    .where('status', 'in', ['due', 'requested']).executeTakeFirst()
  if (open) throw new DomainError(409, 'refund_in_progress', 'refunds.inProgress')
  if (request.amountMinor === left) await moveTransaction(trx, payment, 'refund_due', request.now, { refund_reason: request.reason })
  return trx.insertInto('refunds').values({
    tenant_id: payment.tenant_id, event_id: payment.event_id, transaction_id: payment.id, amount_minor: request.amountMinor,
    currency: payment.currency, reason: request.reason, note: request.note ?? null, ticket_ids: request.ticketIds ?? [],
    requested_by: request.requestedBy ?? null, next_attempt_at: request.now, created_at: request.now, updated_at: request.now,
  }).returningAll().executeTakeFirstOrThrow()
}

/** A payment's receipt came (by a late callback): its due refund need not wait for it any more. */
export async function receiptArrived(trx: Queryable, paymentId: string, now: Date) {
  await trx.updateTable('refunds').set({ next_attempt_at: now, updated_at: now })
    .where('transaction_id', '=', paymentId).where('status', '=', 'due').where('next_attempt_at', '>', now).execute()
}

export function lockRefund(trx: Queryable, refundId: string) {
  return trx.selectFrom('refunds').selectAll().where('id', '=', refundId).forUpdate().executeTakeFirst()
}

/** Whether a refund is of the whole (rest of the) payment: only those move the payment's status. */
function wholePayment(payment: TransactionRow) {
  return payment.status === 'refund_due' || payment.status === 'refund_requested'
}

/** A refund Daraja will not make: the manager refunds it by hand, and the buyer is told it is delayed. */
async function toManual(trx: Queryable, refund: RefundRow, payment: TransactionRow, why: string, now: Date) {
  await trx.updateTable('refunds').set({ status: 'manual', result_code: why.slice(0, 40), updated_at: now }).where('id', '=', refund.id).execute()
  if (payment.status === 'refund_requested') await moveTransaction(trx, payment, 'refund_due', now, { refund_reason: `reversal_failed:${why.slice(0, 20)}` })
  await raiseFlag(trx, {
    tenantId: refund.tenant_id, eventId: refund.event_id, transactionId: payment.id, kind: 'refund_manual',
    detail: { reason: refund.reason, refundId: refund.id, amountMinor: refund.amount_minor, why: why.slice(0, 40) },
  })
  // a partial refund M-Pesa would not make, of a cancelled event: the rest still goes back by Reversal
  if (!wholePayment(payment)) await refundRestIfCancelled(trx, payment, now)
  if (payment.mpesa_phone) {
    await recordBuyerNotice(trx, {
      type: 'refund_failed', tenantId: refund.tenant_id, eventId: refund.event_id, userId: payment.user_id, to: payment.mpesa_phone,
      lang: payment.lang, message: 'refunds.notice.failed', params: { amount: formatMoney(refund.amount_minor, refund.currency, payment.lang) },
      data: { transactionId: payment.id, refundId: refund.id, amountMinor: refund.amount_minor },
    }, now)
  }
}

/** Daraja refused: try again later, or by hand after MAX_REVERSAL_ATTEMPTS. */
async function refused(trx: Queryable, refund: RefundRow, payment: TransactionRow, why: string, now: Date) {
  if (refund.attempts >= MAX_REVERSAL_ATTEMPTS) return toManual(trx, refund, payment, why, now)
  await trx.updateTable('refunds').set({ status: 'due', result_code: why.slice(0, 40), next_attempt_at: retryAt(refund.attempts, now), updated_at: now })
    .where('id', '=', refund.id).execute()
  if (payment.status === 'refund_requested') await moveTransaction(trx, payment, 'refund_due', now, { refund_reason: `reversal_failed:${why.slice(0, 20)}` })
}

/**
 * Asks Daraja to reverse one due refund. Safe to run twice: only a `due` refund is sent, and it is
 * marked requested (with a fresh secret for its result URL) before Daraja is called. When we cannot
 * know whether Daraja took the request (no answer), it stays requested: its result may still come, and
 * asking again could reverse twice.
 */
export async function requestReversal(db: Database, services: BackgroundServices, refundId: string, now: Date): Promise<void> {
  const secret = randomToken(32)
  const prepared = await withContext(db, SYSTEM, async (trx) => {
    const refund = await lockRefund(trx, refundId)
    if (refund?.status !== 'due' || refund.next_attempt_at > now) return undefined
    const payment = (await lockTransaction(trx, refund.transaction_id))!
    if (!payment.mpesa_receipt_number || !payment.origin) {
      // settled by STK Query: the callback brings the receipt Reversal needs
      await trx.updateTable('refunds').set({ next_attempt_at: new Date(now.getTime() + WAIT_FOR_RECEIPT_MS), updated_at: now })
        .where('id', '=', refund.id).execute()
      return undefined
    }
    const credentials = await loadCredentials(trx, services.secretKeys, payment.tenant_id)
    if (!credentials?.secrets.initiatorName || !credentials.secrets.securityCredential) {
      await toManual(trx, refund, payment, 'no_initiator', now)
      return undefined
    }
    await trx.updateTable('refunds').set({
      status: 'requested', attempts: refund.attempts + 1, callback_secret_hash: await sha256Hex(secret), updated_at: now,
    }).where('id', '=', refund.id).execute()
    if (payment.status === 'refund_due') await moveTransaction(trx, payment, 'refund_requested', now)
    return { refund: { ...refund, attempts: refund.attempts + 1 }, payment, credentials }
  })
  if (!prepared) return
  const { refund, payment, credentials } = prepared
  const resultUrl = `${payment.origin}/payments/mpesa/reversal/${refund.id}/${secret}`
  try {
    const accepted = await darajaClientFor(services.daraja, credentials).reversal({
      receipt: payment.mpesa_receipt_number!, amountMinor: refund.amount_minor, resultUrl, timeoutUrl: resultUrl,
      remarks: refund.reason === 'event_cancelled' ? 'Event cancelled' : 'Tikiti refund',
    })
    await withContext(db, SYSTEM, (trx) => trx.updateTable('refunds')
      .set({ reversal_conversation_id: accepted.conversationId, updated_at: now }).where('id', '=', refund.id).execute())
  } catch (error) {
    if (error instanceof DarajaError && error.errorCode === 'unreachable') {
      await withContext(db, SYSTEM, async (trx) => {
        await trx.updateTable('refunds').set({ result_code: 'unconfirmed', updated_at: now }).where('id', '=', refund.id).execute()
        await trx.updateTable('transactions').set({ refund_reason: 'reversal_unconfirmed', updated_at: now })
          .where('id', '=', payment.id).where('status', '=', 'refund_requested').execute()
      })
      return
    }
    if (!(error instanceof DarajaError || error instanceof DarajaAuthError)) throw error
    const why = error instanceof DarajaError ? error.errorCode : 'auth'
    await withContext(db, SYSTEM, async (trx) => {
      const current = await lockRefund(trx, refund.id)
      if (current?.status !== 'requested') return
      await refused(trx, current, (await lockTransaction(trx, payment.id))!, why, now)
    })
  }
}

/** The refund-payment job: sends the payment's open refund now (a late payment's, say). */
export async function requestRefund(db: Database, services: BackgroundServices, paymentId: string, now: Date): Promise<void> {
  const open = await withContext(db, SYSTEM, (trx) => trx.selectFrom('refunds').select('id')
    .where('transaction_id', '=', paymentId).where('status', '=', 'due').executeTakeFirst())
  if (open) await requestReversal(db, services, open.id, now)
}

/** The refund sweep (every tick): due refunds, oldest first, at most REVERSALS_PER_RUN. Returns how many were tried. */
export async function sweepRefunds(db: Database, services: BackgroundServices, now: Date, limit = REVERSALS_PER_RUN): Promise<number> {
  const due = await withContext(db, SYSTEM, (trx) => trx.selectFrom('refunds').select('id')
    .where('status', '=', 'due').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id').limit(limit).execute())
  for (const refund of due) await requestReversal(db, services, refund.id, now)
  return due.length
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

export type ReversalResult = z.output<typeof reversalResultBody>['Result']

/** The refund a reversal result URL names, if the URL's secret is its secret. */
export function findRefund(trx: Queryable, refundId: string) {
  return trx.selectFrom('refunds').selectAll().where('id', '=', refundId).executeTakeFirst()
}

/**
 * Daraja's word on a reversal: the money is back (the payment's refunded amount grows, the buyer is
 * told), or Daraja refused (retried, or by hand). Only a requested refund moves, so a repeated
 * result changes nothing.
 */
export async function applyReversalResult(db: Database, refundId: string, result: ReversalResult, now: Date): Promise<'refunded' | 'refused' | 'ignored'> {
  return withContext(db, SYSTEM, async (trx) => {
    const refund = await lockRefund(trx, refundId)
    if (refund?.status !== 'requested') return 'ignored'
    const payment = (await lockTransaction(trx, refund.transaction_id))!
    if (String(result.ResultCode) !== '0') {
      await refused(trx, refund, payment, `reversal_failed:${String(result.ResultCode).slice(0, 20)}`, now)
      return 'refused'
    }
    await completeRefund(trx, refund, payment, now, { result_code: '0' })
    return 'refunded'
  })
}

/**
 * A refund is done (by Reversal, or by hand): the payment's refunded amount grows, a whole or fully refunded
 * payment becomes `refunded`, what a cancellation still owes goes back, and the buyer is told.
 */
export async function completeRefund(
  trx: Queryable, refund: RefundRow, payment: TransactionRow, now: Date,
  record: { result_code: string; completed_by?: string; manual_reference?: string },
) {
  await trx.updateTable('refunds').set({ ...record, status: 'completed', completed_at: now, updated_at: now })
    .where('id', '=', refund.id).execute()
  const refunded = Math.min(payment.refunded_minor + refund.amount_minor, payment.amount_minor)
  let status: TransactionRow['status']
  if (record.completed_by) {
    // by hand: the payment may be waiting on another refund too, so only the amounts decide
    status = await recordRefundedByHand(trx, payment, refunded, now)
  } else {
    status = wholePayment(payment) || refunded >= payment.amount_minor ? 'refunded' : 'partially_refunded'
    await moveTransaction(trx, payment, status, now, { refunded_minor: refunded })
  }
  if (status === 'partially_refunded') await refundRestIfCancelled(trx, { ...payment, status, refunded_minor: refunded }, now)
  if (payment.mpesa_phone) {
    await recordBuyerNotice(trx, {
      type: 'refund_completed', tenantId: refund.tenant_id, eventId: refund.event_id, userId: payment.user_id, to: payment.mpesa_phone,
      lang: payment.lang, message: 'refunds.notice.completed',
      params: { amount: formatMoney(refund.amount_minor, refund.currency, payment.lang) },
      data: { transactionId: payment.id, refundId: refund.id, amountMinor: refund.amount_minor },
    }, now)
  }
}

/**
 * What is left to refund of a payment when its event is cancelled: its amount, less what went back, what is to
 * be refunded by hand (a refund marked manual is owed by the organiser already), and the seats its buyer sold on
 * the resale marketplace (the resale buyer's own payment is refunded instead). Each would otherwise pay twice.
 */
export async function leftToRefund(trx: Queryable, payment: Pick<TransactionRow, 'id' | 'amount_minor' | 'refunded_minor'>): Promise<number> {
  const manual = await trx.selectFrom('refunds').select(sql<string>`coalesce(sum(amount_minor), 0)`.as('minor'))
    .where('transaction_id', '=', payment.id).where('status', '=', 'manual').executeTakeFirstOrThrow()
  const resold = await resoldValueOf(trx, payment.id)
  return Math.max(0, payment.amount_minor - payment.refunded_minor - Number(manual.minor) - resold)
}

/** A partial refund that was under way when its event was cancelled has ended: now the rest goes back too. */
async function refundRestIfCancelled(trx: Queryable, payment: TransactionRow, now: Date) {
  if (payment.status === 'refund_due' || payment.status === 'refund_requested' || payment.status === 'refunded') return
  const event = await trx.selectFrom('events').select('status').where('id', '=', payment.event_id).executeTakeFirstOrThrow()
  if (event.status !== 'cancelled') return
  const rest = await leftToRefund(trx, payment)
  if (rest > 0) await openRefund(trx, payment, { amountMinor: rest, reason: 'event_cancelled', now })
}

export interface RefundProgress {
  refunded: { count: number; minor: number }
  /** Asked for, or waiting to be sent for the first time. */
  inProgress: { count: number; minor: number }
  /** Refused by Daraja, waiting to be tried again. */
  failed: { count: number; minor: number }
  manual: { count: number; minor: number }
  total: { count: number; minor: number }
}

/** An event's refunds by where they stand, with their amounts, for its progress page. */
export async function refundProgress(trx: Queryable, tenantId: string, eventId: string): Promise<RefundProgress> {
  const retrying = sql`status = 'due' and result_code is not null and result_code <> 'unconfirmed'`
  const figure = (name: string, where: ReturnType<typeof sql>) => [
    sql<string>`count(*) filter (where ${where})`.as(`${name}_n`),
    sql<string>`coalesce(sum(amount_minor) filter (where ${where}), 0)`.as(`${name}_minor`),
  ]
  const row = await trx.selectFrom('refunds').select([
    ...figure('refunded', sql`status = 'completed'`),
    ...figure('progress', sql`status = 'requested' or (status = 'due' and not (${retrying}))`),
    ...figure('failed', retrying),
    ...figure('manual', sql`status = 'manual'`),
    ...figure('total', sql`true`),
  ]).where('tenant_id', '=', tenantId).where('event_id', '=', eventId).executeTakeFirstOrThrow() as Record<string, string>
  const of = (name: string) => ({ count: Number(row[`${name}_n`] ?? 0), minor: Number(row[`${name}_minor`] ?? 0) })
  return { refunded: of('refunded'), inProgress: of('progress'), failed: of('failed'), manual: of('manual'), total: of('total') }
}
