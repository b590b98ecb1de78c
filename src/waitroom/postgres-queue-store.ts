/**
 * The queue store in Postgres (waiting_room_entries, waiting_room_gates), used when no Redis is configured.
 * A look is one call of waiting_room_visit() (migrations/0031, 0032): one round trip, no count of the queue, and
 * the gate's row locked only by the look that moves it, at most once every GATE_STEP_MS of request time.
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { drawScore, type QueueStore } from './queue-store.ts'

/**
 * How often the gate moves: a look within this time of the last move reads the gate as it stands. Admissions
 * come in steps of rate × step (at 6,000 a minute, 20 at a time), which nobody in the queue can tell apart.
 */
export const GATE_STEP_MS = 200

/** A queue store on this database (Workers open one per request, so it is built per request). */
export function postgresQueueStore(db: Database): QueueStore {
  return {
    async visit(eventId, browserId, input) {
      const draw = input.preQueue ? drawScore() : null
      const { rows } = await sql<{ place: string | null; admitted: number | null; admitted_until: Date | string | null }>`
        select place, admitted, admitted_until from waiting_room_visit(${eventId}, ${browserId}, ${draw}::double precision,
          ${new Date(input.nowMs)}::timestamptz, ${input.perMinute}::double precision, ${input.flowing}, ${GATE_STEP_MS}::double precision,
          ${input.admissionMs}::double precision)`.execute(db)
      const spot = rows[0]!
      return {
        position: spot.place === null ? undefined : Number(spot.place), admitted: Number(spot.admitted ?? 0),
        admittedUntilMs: spot.admitted_until === null ? undefined : new Date(spot.admitted_until).getTime(),
      }
    },

    async leave(eventId, browserId) {
      await withContext(db, ANONYMOUS, (trx) => trx.deleteFrom('waiting_room_entries').where('event_id', '=', eventId).where('browser_id', '=', browserId).execute())
    },
  }
}
