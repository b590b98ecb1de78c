/**
 * Tidying after holds that ran out. Availability never waits for this (an expired hold's tickets are
 * claimable at its expiry); the job only marks the reservations expired and hands the rows back as
 * plainly available, so reports and the database stay tidy.
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { JobHandler } from './scheduler.ts'

export const HOLD_SWEEP_EVERY_MS = 60_000

export const expireHolds: JobHandler = async (db: Database, _payload, now) => {
  await withContext(db, SYSTEM, async (trx) => {
    await sql`update tickets set status = 'available', claimable_after = '-infinity', reserved_until = null,
        reservation_id = null, updated_at = ${now}
      where status = 'pending_payment' and claimable_after <= ${now}`.execute(trx)
    await trx.updateTable('reservations').set({ status: 'expired', updated_at: now })
      .where('status', '=', 'held').where('expires_at', '<=', now).execute()
  })
}
