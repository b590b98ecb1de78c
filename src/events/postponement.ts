/**
 * Postponing: a new date for a published event with sales. The organiser confirms it (the event page
 * asks) and sets a refund deadline; in the same transaction the event moves, keeps the start it first
 * had (postponed_from), and every holder is told, with the deadline. Until then a holder may have
 * their money back from their tickets page (src/tickets/refund-request.ts), as Madfun and Mookh do it.
 */
import type { Queryable } from '../db/database.ts'
import type { Event } from '../db/schema.ts'
import { formatDateTime } from '../i18n/format.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { recordBuyerNotice } from '../payments/buyer-notices.ts'
import { KEPT_STATUSES } from '../payments/settlement-table.ts'
import type { EventInput } from './form-schemas.ts'
import { lockEvent, updateEvent, type Actor, type InventoryRules } from './manage-service.ts'

/** Tickets sold (active or admitted) of an event. */
export async function soldCount(trx: Queryable, eventId: string): Promise<number> {
  const row = await trx.selectFrom('tickets').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('event_id', '=', eventId).where('status', 'in', ['active', 'used']).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Whether saving `input` moves a published event that has sales: that needs the organiser's confirmation. */
export function movesSoldEvent(event: Pick<Event, 'status' | 'starts_at'>, input: Pick<EventInput, 'startsAt'>, sold: number): boolean {
  return (event.status === 'published' || event.status === 'ongoing') && sold > 0 && input.startsAt.getTime() !== event.starts_at.getTime()
}

export async function postponeEvent(
  trx: Queryable, actor: Actor, eventId: string, input: EventInput, refundDeadline: Date | null, now: Date, rules: InventoryRules,
  origin: string,
): Promise<void> {
  const event = await lockEvent(trx, actor, eventId)
  if (!refundDeadline || refundDeadline <= now || refundDeadline >= input.startsAt) {
    throw new DomainError(422, 'bad_refund_deadline', 'events.postpone.deadlineRequired')
  }
  await updateEvent(trx, actor, eventId, input, now, rules)
  await trx.updateTable('events').set({ postponed_from: event.postponed_from ?? event.starts_at, refund_deadline: refundDeadline, updated_at: now })
    .where('id', '=', eventId).execute()
  const holders = await trx.selectFrom('transactions').select(['id', 'tenant_id', 'user_id', 'mpesa_phone', 'lang'])
    .where('event_id', '=', eventId).where('status', 'in', [...KEPT_STATUSES]).orderBy('created_at').execute()
  for (const holder of holders) {
    if (!holder.mpesa_phone) continue
    await recordBuyerNotice(trx, {
      type: 'event_postponed', tenantId: holder.tenant_id, eventId, userId: holder.user_id, to: holder.mpesa_phone, lang: holder.lang,
      message: 'refunds.notice.postponed',
      params: {
        event: input.title, from: formatDateTime(event.starts_at, holder.lang), to: formatDateTime(input.startsAt, holder.lang),
        deadline: formatDateTime(refundDeadline, holder.lang), link: `${origin}/tickets`,
      },
      data: { transactionId: holder.id, refundDeadline: refundDeadline.toISOString() },
    }, now)
  }
}
