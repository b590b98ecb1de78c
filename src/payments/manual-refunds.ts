/**
 * A refund Daraja would not make (status manual) is owed by the organiser, who sends the money some other
 * way and then records it here with their reference: the refund is completed, the payment's refunded
 * amount grows (through the settlement table), the buyer is told, and the audit log keeps who did it.
 * Only the manager's own tenant's refunds are found (others are a 404).
 */
import { z } from 'zod'
import { recordAudit } from '../audit/audit-log.ts'
import type { Queryable } from '../db/database.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { lockTransaction } from './payment-queries.ts'
import { completeRefund, lockRefund } from './refunds.ts'

export const refundByHandForm = z.object({
  reference: z.string().trim().min(2, 'refunds.byHand.referenceRequired').max(60, 'refunds.byHand.referenceRequired'),
})

export type RefundByHandInput = z.output<typeof refundByHandForm>

/** Records a manual refund of `transactionId` as made; returns its amount. */
export async function markRefundedByHand(
  trx: Queryable, actor: { tenantId: string; userId: string }, ids: { transactionId: string; refundId: string },
  input: RefundByHandInput, now: Date,
): Promise<number> {
  const refund = await lockRefund(trx, ids.refundId)
  if (!refund || refund.tenant_id !== actor.tenantId || refund.transaction_id !== ids.transactionId) throw new NotFoundError()
  if (refund.status === 'completed') throw new DomainError(409, 'refund_already_done', 'refunds.byHand.alreadyDone')
  if (refund.status !== 'manual') throw new DomainError(409, 'refund_not_manual', 'refunds.byHand.notManual')
  const payment = (await lockTransaction(trx, refund.transaction_id))!
  // the refunded amount and status are decided from the payment as it stands; a Reversal under way changes both
  const open = await trx.selectFrom('refunds').select('id').where('transaction_id', '=', payment.id)
    .where('status', 'in', ['due', 'requested']).executeTakeFirst()
  if (open) throw new DomainError(409, 'refund_in_progress', 'refunds.byHand.waitForOpen')
  await completeRefund(trx, refund, payment, now, { result_code: 'by_hand', completed_by: actor.userId, manual_reference: input.reference })
  await recordAudit(trx, {
    action: 'refund_marked_by_hand', tenantId: actor.tenantId, actorUserId: actor.userId, targetType: 'refund', targetId: refund.id,
    metadata: { transactionId: payment.id, amountMinor: refund.amount_minor, reference: input.reference },
  })
  return refund.amount_minor
}
