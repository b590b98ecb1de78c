/**
 * What buyers are told when their event is cancelled or postponed and when their money goes back. Each
 * notice goes through the outbox in the same transaction as the change it tells of, to the phone that
 * paid and, when the buyer gave one at checkout, their email (the channel they chose). The catalog's
 * wording below is the producer's; a tenant's own template for the type replaces it at send time.
 * This is the one place those notices are written.
 */
import type { Queryable } from '../db/database.ts'
import { translator, type Lang, type MessageKey } from '../i18n/index.ts'
import { enqueueNotification } from '../notifications/outbox.ts'

export type BuyerNoticeType = 'event_cancelled' | 'event_postponed' | 'refund_issued' | 'refund_completed' | 'refund_failed'

export interface BuyerNotice {
  type: BuyerNoticeType
  tenantId: string
  eventId: string
  userId: string | null
  /** The phone (2547…) the message goes to. */
  to: string
  lang: Lang
  /** The message, from the catalog, in the buyer's language. */
  message: MessageKey
  params?: Record<string, string | number>
  /** What the notice is about, for templates and for support: transactionId, refundId, amountMinor… */
  data?: Record<string, string | number | null>
}

export async function recordBuyerNotice(trx: Queryable, notice: BuyerNotice, now: Date): Promise<void> {
  const body = translator(notice.lang)(notice.message, notice.params)
  const transactionId = typeof notice.data?.transactionId === 'string' ? notice.data.transactionId : null
  const purchase = transactionId
    ? await trx.selectFrom('transactions').select(['buyer_email', 'notify_channel']).where('id', '=', transactionId).executeTakeFirst()
    : undefined
  const data: Record<string, string | number> = {
    // the names a tenant's template may use (templates.ts PLACEHOLDERS)
    eventTitle: String(notice.params?.event ?? ''),
    amount: String(notice.params?.amount ?? ''),
  }
  for (const [key, value] of Object.entries(notice.data ?? {})) if (value !== null) data[key] = value
  await enqueueNotification(trx, {
    type: notice.type, channel: purchase?.notify_channel ?? (purchase?.buyer_email ? 'both' : 'whatsapp'),
    email: purchase?.buyer_email, phone: notice.to,
    tenantId: notice.tenantId, userId: notice.userId, eventId: notice.eventId, lang: notice.lang, now,
    body, data, transactionId,
  })
}
