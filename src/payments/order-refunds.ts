/**
 * The organiser refunds one order, or some of its tickets, from the payments page: in one transaction
 * the chosen tickets are cancelled (their QR is refused from then on), a refund of their price is
 * opened through the settlement service, and the buyer is told; the refund sweep sends the Reversal.
 * Only the manager's own tenant's payments are found (others are a 404).
 */
import { z } from 'zod'
import type { Queryable } from '../db/database.ts'
import { formatMoney } from '../i18n/format.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { moveTickets } from '../tickets/lifecycle.ts'
import { recordBuyerNotice } from './buyer-notices.ts'
import { KEPT_STATUSES } from './settlement-table.ts'
import { refundInTransaction } from './settlement.ts'

export const orderRefundForm = z.object({
  // one checkbox ticked arrives as a string, several as a list
  tickets: z.preprocess((value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.uuid({ message: 'refunds.pickTickets' }), { message: 'refunds.pickTickets' })
      .min(1, { message: 'refunds.pickTickets' }).max(50, { message: 'refunds.pickTickets' }))
    .transform((ids) => [...new Set(ids)]),
  reason: z.string().trim().min(2, 'refunds.reasonRequired').max(300, 'refunds.reasonRequired'),
})

export type OrderRefundInput = z.output<typeof orderRefundForm>

export interface OrderRefundActor {
  tenantId: string
  userId: string
}

/** Refunds the chosen tickets of a payment; returns the amount that goes back. */
export async function refundOrder(trx: Queryable, actor: OrderRefundActor, transactionId: string, input: OrderRefundInput, now: Date): Promise<number> {
  const payment = await trx.selectFrom('transactions').selectAll().where('id', '=', transactionId)
    .where('tenant_id', '=', actor.tenantId).forUpdate().executeTakeFirst()
  if (!payment) throw new NotFoundError()
  if (payment.status === 'refunded' || payment.status === 'refund_due' || payment.status === 'refund_requested') {
    throw new DomainError(409, 'nothing_to_refund', 'refunds.nothingToRefund')
  }
  if (!(KEPT_STATUSES as readonly string[]).includes(payment.status)) throw new DomainError(409, 'not_refundable', 'refunds.notRefundable')
  const tickets = await trx.selectFrom('tickets').select(['id', 'status', 'price_minor'])
    .where('transaction_id', '=', payment.id).where('id', 'in', input.tickets).orderBy('id').forUpdate().execute()
  if (tickets.length !== input.tickets.length) throw new DomainError(422, 'unknown_ticket', 'refunds.pickTickets')
  if (tickets.some((ticket) => ticket.status === 'used')) throw new DomainError(422, 'ticket_used', 'refunds.usedTicket')
  if (tickets.some((ticket) => ticket.status !== 'active')) throw new DomainError(409, 'nothing_to_refund', 'refunds.nothingToRefund')
  const amountMinor = tickets.reduce((sum, ticket) => sum + ticket.price_minor, 0)
  if (amountMinor <= 0) throw new DomainError(409, 'nothing_to_refund', 'refunds.nothingToRefund')
  const refund = await refundInTransaction(trx, payment, {
    amountMinor, reason: 'organiser', note: input.reason, ticketIds: tickets.map((ticket) => ticket.id), requestedBy: actor.userId, now,
  })
  await moveTickets(trx, ['active'], 'cancelled', { ids: tickets.map((ticket) => ticket.id) }, {}, now)
  if (payment.mpesa_phone) {
    const event = await trx.selectFrom('events').select('title').where('id', '=', payment.event_id).executeTakeFirstOrThrow()
    await recordBuyerNotice(trx, {
      type: 'refund_issued', tenantId: payment.tenant_id, eventId: payment.event_id, userId: payment.user_id, to: payment.mpesa_phone,
      lang: payment.lang, message: 'refunds.notice.partial',
      params: { count: tickets.length, event: event.title, amount: formatMoney(amountMinor, payment.currency, payment.lang) },
      data: { transactionId: payment.id, refundId: refund.id, amountMinor, reason: input.reason },
    }, now)
  }
  return amountMinor
}
