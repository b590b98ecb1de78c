/** The manager's side of payouts: an event's payouts page data, and marking a manual payout paid by hand. */
import { z } from 'zod'
import type { Queryable } from '../db/database.ts'
import { recordAudit } from '../audit/audit-log.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { lockPayout, listPayouts, payoutTotals } from './payout-queries.ts'
import { markPayoutPaid } from './payout-results.ts'

export const markPaidForm = z.object({
  reference: z.string({ message: 'payouts.mark.badReference' }).trim().transform((value) => value.toUpperCase())
    .pipe(z.string().regex(/^[A-Z0-9]{8,20}$/, 'payouts.mark.badReference')),
  note: z.string().trim().max(300, 'form.tooLong').optional().transform((value) => value || null),
})

export type MarkPaidInput = z.output<typeof markPaidForm>

/** The tenant's event, its payouts and their totals, and whether B2C can send them; undefined for another tenant's event. */
export async function eventPayouts(trx: Queryable, tenantId: string, eventId: string) {
  const event = await trx.selectFrom('events').select(['id', 'title']).where('id', '=', eventId).where('tenant_id', '=', tenantId).executeTakeFirst()
  if (!event) return undefined
  const filter = { tenantId, eventId }
  return { event, payouts: await listPayouts(trx, filter), totals: await payoutTotals(trx, filter) }
}

/**
 * Marks a payout of the tenant's event paid by hand. Another tenant's payout, or one of another event,
 * is not found; one that is not waiting to be paid by hand is a 409 and stays as it is.
 */
export async function markPaidByHand(
  trx: Queryable, by: { tenantId: string; userId: string }, eventId: string, payoutId: string, input: MarkPaidInput, now: Date,
) {
  const payout = await lockPayout(trx, payoutId)
  if (!payout || payout.tenant_id !== by.tenantId || payout.event_id !== eventId) throw new NotFoundError()
  if (payout.status !== 'manual') throw new DomainError(409, 'payout_not_manual', 'payouts.mark.notManual')
  const paid = await markPayoutPaid(trx, payout, { userId: by.userId, reference: input.reference, note: input.note }, now)
  await recordAudit(trx, {
    action: 'payout_marked_paid', tenantId: by.tenantId, actorUserId: by.userId, targetType: 'payout', targetId: payout.id,
    metadata: { eventId, amountMinor: payout.amount_minor, reference: input.reference },
  })
  return paid
}
