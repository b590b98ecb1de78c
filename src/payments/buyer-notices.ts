/**
 * What buyers are told when their event is cancelled or postponed and when their money goes back. Each
 * notice is a `notifications` row written in the same transaction as the change it tells of (invariant
 * 8), on WhatsApp to the phone that paid; the notifications dispatcher delivers it. This is the one
 * place those rows are written.
 */
import type { Queryable } from '../db/database.ts'
import { translator, type Lang, type MessageKey } from '../i18n/index.ts'

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
  /** What the notice is about, for the dispatcher and for support: eventId, transactionId, refundId, amountMinor… */
  data?: Record<string, string | number | null>
}

export async function recordBuyerNotice(trx: Queryable, notice: BuyerNotice, now: Date): Promise<void> {
  const body = translator(notice.lang)(notice.message, notice.params)
  await trx.insertInto('notifications').values({
    tenant_id: notice.tenantId, user_id: notice.userId, event_id: notice.eventId, type: notice.type, channel: 'whatsapp',
    content: { to: notice.to, body, eventId: notice.eventId, ...notice.data },
    created_at: now,
  }).execute()
}
