/**
 * Repeated failed payments from one phone or one buyer in a short window: from the third the manager
 * sees a flag, from the fifth new attempts are refused until the window has passed (card-testing's
 * M-Pesa cousin: someone cycling through other people's numbers, or a buyer stuck on a wrong PIN).
 */
import type { Queryable } from '../db/database.ts'
import type { TransactionRow } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { maskPhone } from '../lib/phone.ts'
import { raiseFlag, recentFailures } from './payment-queries.ts'

export const FAILURE_WINDOW_MS = 15 * 60_000
export const FLAG_AFTER_FAILURES = 3
export const MAX_FAILURES = 5

export async function refuseRepeatedFailures(trx: Queryable, phone: string, userId: string | null, now: Date) {
  const failures = await recentFailures(trx, phone, userId, new Date(now.getTime() - FAILURE_WINDOW_MS))
  if (failures >= MAX_FAILURES) {
    throw new DomainError(429, 'too_many_failed_payments', 'checkout.tooManyFailures', { minutes: FAILURE_WINDOW_MS / 60_000 })
  }
}

/** After a failure: several in a short window from one phone or buyer raise a flag for the manager. */
export async function flagRepeatedFailures(trx: Queryable, payment: TransactionRow, now: Date) {
  if (!payment.mpesa_phone) return
  const failures = await recentFailures(trx, payment.mpesa_phone, payment.user_id, new Date(now.getTime() - FAILURE_WINDOW_MS))
  if (failures >= FLAG_AFTER_FAILURES) {
    await raiseFlag(trx, {
      tenantId: payment.tenant_id, eventId: payment.event_id, transactionId: payment.id, kind: 'repeated_failures',
      detail: { failures, phone: maskPhone(payment.mpesa_phone) },
    })
  }
}

