/**
 * A holder asks for their money back after their event was postponed, before the organiser's refund
 * deadline: their valid tickets of the event are cancelled and refunded, per payment, through the
 * settlement service. Runs in the platform context scoped to the buyer's own tickets (buyers may only
 * read their rows under row-level security, and this writes refunds).
 */
import type { Queryable } from '../db/database.ts'
import { formatMoney } from '../i18n/format.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { recordBuyerNotice } from '../payments/buyer-notices.ts'
import { KEPT_STATUSES } from '../payments/settlement-table.ts'
import { refundInTransaction } from '../payments/settlement.ts'
import { moveTickets } from './lifecycle.ts'

/** The postponed events the buyer holds valid tickets for, whose refund deadline has not passed. */
export function refundOffers(trx: Queryable, userId: string, now: Date) {
  return trx.selectFrom('events as e').select(['e.id', 'e.title', 'e.starts_at', 'e.refund_deadline'])
    .where('e.refund_deadline', '>', now).where('e.status', 'in', ['published', 'ongoing'])
    .where((eb) => eb.exists(eb.selectFrom('tickets as t').select('t.id')
      .whereRef('t.event_id', '=', 'e.id').where('t.user_id', '=', userId).where('t.status', '=', 'active')))
    .orderBy('e.starts_at').execute()
}

/** Refunds the buyer's valid tickets of a postponed event; returns the amount that goes back. */
export async function requestPostponementRefund(trx: Queryable, userId: string, eventId: string, now: Date): Promise<number> {
  // NO KEY UPDATE: a payment settling meanwhile references the event (KEY SHARE); a full lock would deadlock with it
  const event = await trx.selectFrom('events').select(['id', 'title', 'status', 'refund_deadline']).where('id', '=', eventId)
    .forNoKeyUpdate().executeTakeFirst()
  if (!event) throw new NotFoundError()
  if (!event.refund_deadline || event.refund_deadline <= now || (event.status !== 'published' && event.status !== 'ongoing')) {
    throw new DomainError(409, 'refunds_closed', 'tickets.refund.closed')
  }
  // only the payments behind this holder's valid tickets: locking every payment of the event would make
  // each request (repeatable at will) hold up every other buyer's callbacks and refunds
  const payments = await trx.selectFrom('transactions as x').selectAll('x').where('x.event_id', '=', eventId)
    .where('x.status', 'in', [...KEPT_STATUSES])
    .where((eb) => eb.exists(eb.selectFrom('tickets as t').select('t.id').whereRef('t.transaction_id', '=', 'x.id')
      .where('t.user_id', '=', userId).where('t.status', '=', 'active')))
    .orderBy('x.id').forUpdate('x').execute()
  let total = 0
  for (const payment of payments) {
    const tickets = await trx.selectFrom('tickets').select(['id', 'price_minor']).where('transaction_id', '=', payment.id)
      .where('user_id', '=', userId).where('status', '=', 'active').orderBy('id').forUpdate().execute()
    const amountMinor = tickets.reduce((sum, ticket) => sum + ticket.price_minor, 0)
    if (tickets.length === 0 || amountMinor === 0) continue
    const refund = await refundInTransaction(trx, payment, {
      amountMinor, reason: 'event_postponed', ticketIds: tickets.map((ticket) => ticket.id), requestedBy: userId, now,
    })
    await moveTickets(trx, ['active'], 'cancelled', { ids: tickets.map((ticket) => ticket.id) }, {}, now)
    if (payment.mpesa_phone) {
      await recordBuyerNotice(trx, {
        type: 'refund_issued', tenantId: payment.tenant_id, eventId, userId, to: payment.mpesa_phone, lang: payment.lang,
        message: 'refunds.notice.requested',
        params: { count: tickets.length, event: event.title, amount: formatMoney(amountMinor, payment.currency, payment.lang) },
        data: { transactionId: payment.id, refundId: refund.id, amountMinor },
      }, now)
    }
    total += amountMinor
  }
  if (total === 0) throw new DomainError(409, 'nothing_to_refund', 'refunds.nothingToRefund')
  return total
}
