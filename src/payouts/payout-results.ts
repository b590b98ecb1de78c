/**
 * How a payout ends: Daraja's B2C result (paid, or refused and retried), a queue timeout (sent again
 * with the same OriginatorConversationID, so Daraja refuses a second payment), or by hand. Every change
 * locks the payout row first and moves only from the states it may leave, so a repeated or late result
 * is applied once; the seller's notice is written in the same transaction (the outbox).
 */
import { z } from 'zod'
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { PayoutRow } from '../db/schema.ts'
import { formatMoney } from '../i18n/format.ts'
import { isLang, translator, type MessageKey } from '../i18n/index.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import { raiseFlag } from '../payments/payment-queries.ts'
import { lockPayout, sellerOf } from './payout-queries.ts'

/** Daraja refusing (or timing out) this many times makes a payout one to pay by hand. */
export const MAX_B2C_ATTEMPTS = 3

/** 1, 2, 4 … minutes after the attempt that failed. */
export function payoutRetryAt(attempts: number, now: Date): Date {
  return new Date(now.getTime() + 2 ** Math.max(0, attempts - 1) * 60_000)
}

const resultParameter = z.object({ Key: z.string().max(100), Value: z.union([z.string().max(200), z.number()]).optional() })

/** A B2C result (or queue timeout) as Daraja POSTs it; anything else is refused before it reaches a payout. */
export const b2cResultBody = z.object({
  Result: z.object({
    ResultType: z.coerce.number().optional(),
    ResultCode: z.union([z.number(), z.string().max(40)]),
    ResultDesc: z.string().max(500),
    OriginatorConversationID: z.string().min(1).max(100),
    ConversationID: z.string().max(100).optional(),
    TransactionID: z.string().max(100).optional(),
    ResultParameters: z.object({ ResultParameter: z.union([z.array(resultParameter).max(30), resultParameter]) }).optional(),
  }),
})

export type B2cResult = z.output<typeof b2cResultBody>['Result']

function parameters(result: B2cResult): Map<string, string | number | undefined> {
  const raw = result.ResultParameters?.ResultParameter
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]
  return new Map(list.map((item) => [item.Key, item.Value]))
}

type NoticeType = 'payout_sent' | 'payout_manual'

async function tellSeller(trx: Queryable, payout: PayoutRow, type: NoticeType, now: Date) {
  const seller = await sellerOf(trx, payout)
  const lang = isLang(seller.lang) ? seller.lang : 'en'
  const amount = formatMoney(payout.amount_minor, payout.currency, lang)
  const message: MessageKey = type === 'payout_sent' ? 'payouts.notice.sent' : 'payouts.notice.manual'
  await enqueueNotification(trx, {
    type, channel: seller.email ? 'both' : 'whatsapp', email: seller.email, phone: payout.phone,
    tenantId: payout.tenant_id, userId: payout.seller_id, eventId: payout.event_id, lang, now,
    body: translator(lang)(message, { amount, event: seller.eventTitle, receipt: payout.receipt ?? '' }),
    data: { buyerName: seller.name, eventTitle: seller.eventTitle, amount, receipt: payout.receipt ?? '', payoutId: payout.id },
    transactionId: payout.transaction_id,
    // one of each per payout, however often a result is repeated
    dedupeKey: `${type}:${payout.id}`,
  })
}

/** A payout M-Pesa will not make: the manager pays it by hand (flagged), and the seller is told it is delayed. */
export async function payoutToManual(trx: Queryable, payout: PayoutRow, why: string, now: Date, description?: string) {
  await trx.updateTable('payouts').set({
    status: 'manual', result_code: why.slice(0, 40), result_description: description?.slice(0, 300) ?? payout.result_description, updated_at: now,
  }).where('id', '=', payout.id).execute()
  await raiseFlag(trx, {
    tenantId: payout.tenant_id, eventId: payout.event_id, transactionId: payout.transaction_id, kind: 'payout_manual',
    detail: { payoutId: payout.id, amountMinor: payout.amount_minor, why: why.slice(0, 40), reason: 'payout_manual' },
  })
  await tellSeller(trx, payout, 'payout_manual', now)
}

/**
 * Daraja refused the payment (its answer, or its result): nothing was paid, so the next attempt takes a
 * new OriginatorConversationID; after MAX_B2C_ATTEMPTS it is paid by hand.
 */
export async function payoutRefused(trx: Queryable, payout: PayoutRow, why: string, now: Date, description?: string) {
  if (payout.attempts >= MAX_B2C_ATTEMPTS) return payoutToManual(trx, { ...payout, originator_conversation_id: null }, why, now, description)
  await trx.updateTable('payouts').set({
    status: 'due', result_code: why.slice(0, 40), result_description: description?.slice(0, 300) ?? null,
    originator_conversation_id: null, conversation_id: null, next_attempt_at: payoutRetryAt(payout.attempts, now), updated_at: now,
  }).where('id', '=', payout.id).execute()
}

export type B2cOutcome = 'paid' | 'refused' | 'ignored'

/** The result names this payout's current request (by our OriginatorConversationID, which Daraja echoes). */
function isCurrent(payout: PayoutRow, result: B2cResult) {
  return payout.originator_conversation_id !== null && payout.originator_conversation_id === result.OriginatorConversationID
}

/**
 * Daraja's result for a payout whose URL secret matched. A success is taken from any state but completed,
 * a late one after a timeout too (due, or even manual: the money did go, so the manager must not pay it
 * again); a failure only while the request is out. Anything else (a replay, a result of an older
 * request) changes nothing.
 */
export function applyB2cResult(db: Database, payoutId: string, result: B2cResult, now: Date): Promise<B2cOutcome> {
  return withContext(db, SYSTEM, async (trx) => {
    const payout = await lockPayout(trx, payoutId)
    if (!payout || !isCurrent(payout, result)) return 'ignored'
    const code = String(result.ResultCode)
    if (payout.status === 'completed') {
      // paid by hand meanwhile, and now by M-Pesa too: written on the payout for the manager to recover
      if (code === '0' && payout.method === 'by_hand' && payout.result_code !== 'b2c_also_paid') {
        await trx.updateTable('payouts').set({ result_code: 'b2c_also_paid', result_description: result.ResultDesc.slice(0, 300), updated_at: now })
          .where('id', '=', payout.id).execute()
      }
      return 'ignored'
    }
    if (code !== '0') {
      if (payout.status !== 'requested') return 'ignored'
      await payoutRefused(trx, payout, `b2c_${code}`, now, result.ResultDesc)
      return 'refused'
    }
    const values = parameters(result)
    const receipt = String(values.get('TransactionReceipt') ?? result.TransactionID ?? '')
    const paid = await trx.updateTable('payouts').set({
      status: 'completed', method: 'b2c', result_code: '0', result_description: result.ResultDesc.slice(0, 300),
      receipt: /^[A-Z0-9]{6,40}$/.test(receipt) ? receipt : null,
      completed_at: now, updated_at: now,
    }).where('id', '=', payout.id).returningAll().executeTakeFirstOrThrow()
    await tellSeller(trx, paid, 'payout_sent', now)
    return 'paid'
  })
}

/**
 * Daraja's queue timeout: the request was not processed (yet). It goes out again after a backoff with the
 * same OriginatorConversationID and the same result URL, so a late success of this request is still
 * taken and Daraja refuses to pay the same id twice; after MAX_B2C_ATTEMPTS it is paid by hand.
 */
export function applyB2cTimeout(db: Database, payoutId: string, result: B2cResult, now: Date): Promise<'retry' | 'manual' | 'ignored'> {
  return withContext(db, SYSTEM, async (trx) => {
    const payout = await lockPayout(trx, payoutId)
    if (payout?.status !== 'requested' || !isCurrent(payout, result)) return 'ignored'
    return payoutTimedOut(trx, payout, 'timeout', now, result.ResultDesc)
  })
}

/** A requested payout that timed out (Daraja said so, or it never answered): due again with the same id, or by hand. */
export async function payoutTimedOut(trx: Queryable, payout: PayoutRow, why: string, now: Date, description?: string): Promise<'retry' | 'manual'> {
  if (payout.attempts >= MAX_B2C_ATTEMPTS) {
    await payoutToManual(trx, payout, `b2c_${why}`, now, description)
    return 'manual'
  }
  await trx.updateTable('payouts').set({
    status: 'due', result_code: why, result_description: description?.slice(0, 300) ?? null,
    next_attempt_at: payoutRetryAt(payout.attempts, now), updated_at: now,
  }).where('id', '=', payout.id).execute()
  return 'retry'
}

/** The manager paid it by hand (reference: the M-Pesa receipt of their own payment). Only a manual payout moves. */
export async function markPayoutPaid(
  trx: Queryable, payout: PayoutRow, by: { userId: string; reference: string; note: string | null }, now: Date,
): Promise<PayoutRow> {
  const paid = await trx.updateTable('payouts').set({
    status: 'completed', method: 'by_hand', paid_by: by.userId, receipt: by.reference, note: by.note, completed_at: now, updated_at: now,
  }).where('id', '=', payout.id).where('status', '=', 'manual').returningAll().executeTakeFirstOrThrow()
  await tellSeller(trx, paid, 'payout_sent', now)
  return paid
}
