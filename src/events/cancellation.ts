/**
 * Cancelling an event, in one transaction (invariant 12): the event is cancelled, every unused ticket
 * (available, held, paid, active) is cancelled so its QR is refused, open holds are released, every
 * payment the organiser kept gets one refund of what is left of it, and each buyer is told. Pending
 * prompts are left to their answer: a success that arrives later finds the event cancelled and is
 * refunded, never turned into a ticket (payment-results.ts). The refunds themselves are sent by the
 * refund sweep, a few at a time (src/payments/refunds.ts).
 *
 * Locks are taken in the order a payment's settlement takes them (the payment rows, then reservations,
 * then tickets), so a callback racing the cancellation waits for it or goes first, never deadlocks.
 * The payment rows are locked whatever their status, and read again afterwards: one that was settling
 * when the cancellation began is then seen as it ended.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import { formatDateTime, formatMoney } from '../i18n/format.ts'
import { recordBuyerNotice } from '../payments/buyer-notices.ts'
import { KEPT_STATUSES } from '../payments/settlement-table.ts'
import { leftToRefund } from '../payments/refunds.ts'
import { refundInTransaction } from '../payments/settlement.ts'
import { moveTickets } from '../tickets/lifecycle.ts'
import { endListingsOfEvent } from '../resale/listing-queries.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import type { Actor } from './manage-service.ts'
import { assertTransition } from './status.ts'

export interface CancellationResult {
  ticketsCancelled: number
  refundsOpened: number
}

export async function cancelEvent(trx: Queryable, actor: Actor, eventId: string, now: Date): Promise<CancellationResult> {
  // FOR NO KEY UPDATE, not FOR UPDATE: a payment settling meanwhile inserts rows that reference the event
  // (its notice, its refund), which take KEY SHARE on it; a full lock here would deadlock with that
  const event = await trx.selectFrom('events').selectAll().where('id', '=', eventId).where('tenant_id', '=', actor.tenantId)
    .forNoKeyUpdate().executeTakeFirst()
  if (!event) throw new NotFoundError()
  assertTransition(event.status, 'cancelled')
  await trx.updateTable('events').set({ status: 'cancelled', cancelled_at: now, updated_at: now }).where('id', '=', eventId).execute()

  // every payment row of the event, whatever its state: one settling now finishes first, and is read as it ended
  await trx.selectFrom('transactions').select('id').where('event_id', '=', eventId).orderBy('id').forUpdate().execute()
  await trx.updateTable('reservations').set({ status: 'cancelled', updated_at: now })
    .where('event_id', '=', eventId).where('status', '=', 'held').execute()
  const ticketsCancelled = await moveTickets(trx, ['available', 'pending_payment', 'paid', 'active'], 'cancelled', { eventId },
    { claimable_after: sql<Date>`'infinity'::timestamptz`, reserved_until: null }, now)
  await endListingsOfEvent(trx, eventId, now)

  const kept = await trx.selectFrom('transactions').selectAll().where('event_id', '=', eventId)
    .where('status', 'in', [...KEPT_STATUSES]).orderBy('created_at').orderBy('id').execute()
  let refundsOpened = 0
  for (const payment of kept) {
    const left = await leftToRefund(trx, payment)
    // a partial refund still under way: the rest is refunded when it ends (refunds.ts)
    const open = await trx.selectFrom('refunds').select('id').where('transaction_id', '=', payment.id)
      .where('status', 'in', ['due', 'requested']).executeTakeFirst()
    if (!open && left > 0) {
      const refund = await refundInTransaction(trx, payment, { amountMinor: left, reason: 'event_cancelled', now })
      refundsOpened++
      if (payment.mpesa_phone) {
        await recordBuyerNotice(trx, {
          type: 'event_cancelled', tenantId: payment.tenant_id, eventId, userId: payment.user_id, to: payment.mpesa_phone,
          lang: payment.lang, message: 'refunds.notice.cancelled',
          params: { event: event.title, date: formatDateTime(event.starts_at, payment.lang), amount: formatMoney(left, payment.currency, payment.lang) },
          data: { transactionId: payment.id, refundId: refund.id, amountMinor: left },
        }, now)
      }
    }
  }
  return { ticketsCancelled, refundsOpened }
}
