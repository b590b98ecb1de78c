/**
 * The queue store in Postgres (waiting_room_entries, waiting_room_gates), used when no Redis is configured.
 * Each call is one short transaction of its own; the gate's row lock makes advancing atomic.
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { drawScore, nextAdmitted, type QueueStore } from './queue-store.ts'

/** A queue store on this database (Workers open one per request, so it is built per request). */
export function postgresQueueStore(db: Database): QueueStore {
  const run = <T>(work: Parameters<typeof withContext<T>>[2]) => withContext(db, ANONYMOUS, work)
  return {
    async join(eventId, browserId, preQueue) {
      const score = preQueue ? sql<number>`${drawScore()}::double precision` : sql<number>`1 + nextval('waiting_room_arrivals')`
      await run(async (trx) => {
        const there = await trx.selectFrom('waiting_room_entries').select('score')
          .where('event_id', '=', eventId).where('browser_id', '=', browserId).executeTakeFirst()
        if (there) return
        await trx.insertInto('waiting_room_entries').values({ event_id: eventId, browser_id: browserId, score })
          .onConflict((oc) => oc.columns(['event_id', 'browser_id']).doNothing()).execute()
      })
    },

    async position(eventId, browserId) {
      const row = await run((trx) => sql<{ n: number }>`
        select (select count(*)::int from waiting_room_entries o
                where o.event_id = me.event_id and (o.score, o.browser_id) <= (me.score, me.browser_id)) as n
        from waiting_room_entries me where me.event_id = ${eventId} and me.browser_id = ${browserId}`.execute(trx))
      return row.rows[0]?.n
    },

    async advance(eventId, input) {
      return run(async (trx) => {
        const now = new Date(input.nowMs)
        await trx.insertInto('waiting_room_gates').values({ event_id: eventId, admitted: 0, advanced_at: now })
          .onConflict((oc) => oc.column('event_id').doNothing()).execute()
        const gate = await trx.selectFrom('waiting_room_gates').select(['admitted', 'advanced_at'])
          .where('event_id', '=', eventId).forUpdate().executeTakeFirstOrThrow()
        const { size } = await trx.selectFrom('waiting_room_entries').select((eb) => eb.fn.countAll<number>().as('size'))
          .where('event_id', '=', eventId).executeTakeFirstOrThrow()
        const admitted = nextAdmitted(gate.admitted, gate.advanced_at.getTime(), Number(size), input)
        const advancedAt = input.nowMs > gate.advanced_at.getTime() ? now : gate.advanced_at
        await trx.updateTable('waiting_room_gates').set({ admitted, advanced_at: advancedAt }).where('event_id', '=', eventId).execute()
        return { admitted }
      })
    },

    async admit(eventId, browserId, untilMs) {
      const row = await run((trx) => trx.updateTable('waiting_room_entries')
        .set({ admitted_until: sql<Date>`coalesce(admitted_until, ${new Date(untilMs)})` })
        .where('event_id', '=', eventId).where('browser_id', '=', browserId)
        .returning('admitted_until').executeTakeFirst())
      return row?.admitted_until?.getTime() ?? untilMs
    },

    async leave(eventId, browserId) {
      await run((trx) => trx.deleteFrom('waiting_room_entries').where('event_id', '=', eventId).where('browser_id', '=', browserId).execute())
    },
  }
}
