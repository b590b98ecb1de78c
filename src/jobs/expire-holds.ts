/**
 * Tidying after holds that ran out. Availability never waits for this (an expired hold's tickets are
 * claimable at its expiry); the job only marks the reservations expired and hands the rows back as
 * plainly available, so reports and the database stay tidy.
 *
 * A hold whose payment prompt is still pending is left to its payment: the sweep asks for an STK Query
 * at once (the buyer may have paid), and the payment's outcome settles the hold.
 *
 * The same sweep deletes idempotency keys past their 24 hours (hold_tickets() already treats them as
 * unused; this keeps the table from growing).
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { queueCheck } from '../payments/payment-checks.ts'
import { moveTickets } from '../tickets/lifecycle.ts'
import { offerReturnedTickets } from '../waitroom/waiting-list.ts'
import type { JobHandler } from './scheduler.ts'

export const HOLD_SWEEP_EVERY_MS = 60_000

export const expireHolds: JobHandler = async (db: Database, _payload, now, services) => {
  const awaitingPayment = await withContext(db, SYSTEM, async (trx) => {
    // reservations first, then their tickets: the order a payment takes its locks in, so the two never
    // deadlock; a reservation a payment is working on is skipped and comes back at the next sweep
    const expired = await trx.selectFrom('reservations').select('id')
      .where('status', '=', 'held').where('expires_at', '<=', now)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('transactions as p').select('p.id')
        .whereRef('p.reservation_id', '=', 'reservations.id').where('p.status', '=', 'pending'))))
      .orderBy('id').limit(1000).forUpdate().skipLocked().execute()
    const ids = expired.map((row) => row.id)
    if (ids.length > 0) {
      await moveTickets(trx, ['pending_payment'], 'available', { reservationIds: ids }, AVAILABLE_AGAIN, now)
      await trx.updateTable('reservations').set({ status: 'expired', updated_at: now }).where('id', 'in', ids).execute()
    }
    return trx.selectFrom('transactions as p').innerJoin('reservations as r', 'r.id', 'p.reservation_id')
      .select('p.id').where('p.status', '=', 'pending').where('r.status', '=', 'held').where('r.expires_at', '<=', now)
      .limit(100).execute()
  })
  for (const payment of awaitingPayment) {
    await queueCheck(services.scheduler, { paymentId: payment.id, attempt: 0 }, now)
  }
  await deleteExpiredIdempotencyKeys(db, now)
  // tickets that came back (expired holds, refunds, cancellations) go to the waiting lists first
  await offerReturnedTickets(db, now, services.secretKeys)
}

/** Deletes up to `limit` expired idempotency keys; returns how many went. */
export async function deleteExpiredIdempotencyKeys(db: Database, now: Date, limit = 5000): Promise<number> {
  return withContext(db, SYSTEM, async (trx) => {
    const result = await sql`delete from idempotency_keys where (tenant_id, scope, key) in (
        select tenant_id, scope, key from idempotency_keys where expires_at <= ${now} limit ${limit})`.execute(trx)
    return Number(result.numAffectedRows ?? 0)
  })
}

const AVAILABLE_AGAIN = { claimable_after: sql<Date>`'-infinity'::timestamptz`, reserved_until: null, reservation_id: null }
