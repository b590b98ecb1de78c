/**
 * Tidying after holds that ran out. Availability never waits for this (an expired hold's tickets are
 * claimable at its expiry); the job only marks the reservations expired and hands the rows back as
 * plainly available, so reports and the database stay tidy.
 *
 * A hold whose payment prompt is still pending is left to its payment: the sweep asks for an STK Query
 * at once (the buyer may have paid), and the payment's outcome settles the hold.
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { queueCheck } from '../payments/payment-checks.ts'
import type { JobHandler } from './scheduler.ts'

export const HOLD_SWEEP_EVERY_MS = 60_000

export const expireHolds: JobHandler = async (db: Database, _payload, now, services) => {
  const awaitingPayment = await withContext(db, SYSTEM, async (trx) => {
    await sql`update tickets set status = 'available', claimable_after = '-infinity', reserved_until = null,
        reservation_id = null, updated_at = ${now}
      where status = 'pending_payment' and claimable_after <= ${now}
        and not exists (select 1 from transactions p where p.reservation_id = tickets.reservation_id and p.status = 'pending')`.execute(trx)
    await trx.updateTable('reservations').set({ status: 'expired', updated_at: now })
      .where('status', '=', 'held').where('expires_at', '<=', now)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('transactions as p').select('p.id')
        .whereRef('p.reservation_id', '=', 'reservations.id').where('p.status', '=', 'pending'))))
      .execute()
    return trx.selectFrom('transactions as p').innerJoin('reservations as r', 'r.id', 'p.reservation_id')
      .select('p.id').where('p.status', '=', 'pending').where('r.status', '=', 'held').where('r.expires_at', '<=', now)
      .limit(100).execute()
  })
  for (const payment of awaitingPayment) {
    // the origin is only needed for a refund's result URL; PUBLIC_URL-less setups get it from the check's own payload
    await queueCheck(services.scheduler, { paymentId: payment.id, origin: '', attempt: 0 }, now)
  }
}
