/**
 * The queue store in Postgres (waiting_room_entries, waiting_room_gates), used when no Redis is configured.
 * Looks go to the database together: the looks of one event that arrive while its last call is at the
 * database wait for it and then go as one call of waiting_room_visits() (migrations/0033), VISITS_IN_FLIGHT
 * calls an event at once. A quiet queue's look goes at once, alone; a crowd's go up to MAX_VISITS to a commit
 * and one update of the gate, where one call each queued them all behind each other's commits on the gate's
 * row. No count of the queue either, and the gate's row is locked only by the call that moves it, at most
 * once every GATE_STEP_MS of request time, or that gives places.
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { drawScore, type QueueSpot, type QueueStore, type VisitInput } from './queue-store.ts'

/**
 * How often the gate moves: a look within this time of the last move reads the gate as it stands. Admissions
 * come in steps of rate × step (at 6,000 a minute, 20 at a time), which nobody in the queue can tell apart.
 */
export const GATE_STEP_MS = 200
/**
 * Calls of one event's looks at the database at once (per process and database): one, so places are given in
 * the order the looks came (a call giving places waits on the gate's row for the one before it anyway).
 */
export const VISITS_IN_FLIGHT = 1
/** Browsers in one call at most. */
export const MAX_VISITS = 100

interface Waiting {
  /** The browser's secret draw before the opening (its first look's, if it looked twice at once). */
  draw: number | null
  nowMs: number
  answers: Array<{ resolve: (spot: QueueSpot) => void; reject: (error: unknown) => void }>
}

/** The looks of one event and one kind of look, gathering while earlier calls are at the database. */
interface Gathering {
  waiting: Map<string, Waiting>
  inFlight: number
}

const gatherings = new WeakMap<Database, Map<string, Gathering>>()

/** A queue store on this database (Workers open one per request, so it is built per request). */
export function postgresQueueStore(db: Database): QueueStore {
  return {
    visit(eventId, browserId, input) {
      let byLook = gatherings.get(db)
      if (!byLook) gatherings.set(db, byLook = new Map())
      // only looks that ask the same of the gate go together (they differ only across a setting's change)
      const key = `${eventId}|${input.preQueue}|${input.flowing}|${input.perMinute}|${input.admissionMs}`
      let gathering = byLook.get(key)
      if (!gathering) byLook.set(key, gathering = { waiting: new Map(), inFlight: 0 })
      const spot = new Promise<QueueSpot>((resolve, reject) => {
        const waiting = gathering.waiting.get(browserId)
        if (waiting) {
          waiting.nowMs = Math.max(waiting.nowMs, input.nowMs)
          waiting.answers.push({ resolve, reject })
        } else {
          gathering.waiting.set(browserId, { draw: input.preQueue ? drawScore() : null, nowMs: input.nowMs, answers: [{ resolve, reject }] })
        }
      })
      send(db, byLook, key, gathering, eventId, input)
      return spot
    },

    async leave(eventId, browserId) {
      await withContext(db, ANONYMOUS, (trx) => trx.deleteFrom('waiting_room_entries').where('event_id', '=', eventId).where('browser_id', '=', browserId).execute())
    },
  }
}

/** Sends what has gathered, if a call may go now; each call's end sends what gathered meanwhile. */
function send(db: Database, byLook: Map<string, Gathering>, key: string, gathering: Gathering, eventId: string, input: VisitInput) {
  while (gathering.inFlight < VISITS_IN_FLIGHT && gathering.waiting.size > 0) {
    const taken: Array<[string, Waiting]> = []
    for (const entry of gathering.waiting) {
      taken.push(entry)
      gathering.waiting.delete(entry[0])
      if (taken.length === MAX_VISITS) break
    }
    gathering.inFlight++
    visitTogether(db, eventId, taken, input).finally(() => {
      gathering.inFlight--
      if (gathering.waiting.size === 0 && gathering.inFlight === 0) byLook.delete(key)
      else send(db, byLook, key, gathering, eventId, input)
    })
  }
}

/** One call for the browsers taken; a deadlock or serialization failure is tried once more (a look may repeat). */
async function visitTogether(db: Database, eventId: string, taken: Array<[string, Waiting]>, input: VisitInput) {
  const browserIds = taken.map(([browserId]) => browserId)
  const draws = input.preQueue ? taken.map(([, waiting]) => waiting.draw) : null
  // the latest request time of those gathered: a few milliseconds apart at most
  const now = new Date(Math.max(...taken.map(([, waiting]) => waiting.nowMs)))
  const call = () => sql<{ browser_id: string; place: string | null; admitted: number | null; admitted_until: Date | string | null }>`
    select browser_id, place, admitted, admitted_until from waiting_room_visits(${eventId}, ${browserIds}::text[], ${draws}::double precision[],
      ${now}::timestamptz, ${input.perMinute}::double precision, ${input.flowing}, ${GATE_STEP_MS}::double precision,
      ${input.admissionMs}::double precision)`.execute(db)
  try {
    const { rows } = await call().catch((error) => (error as { code?: string }).code?.startsWith('40') ? call() : Promise.reject(error))
    const spots = new Map(rows.map((row) => [row.browser_id, {
      position: row.place === null ? undefined : Number(row.place), admitted: Number(row.admitted ?? 0),
      admittedUntilMs: row.admitted_until === null ? undefined : new Date(row.admitted_until).getTime(),
    } satisfies QueueSpot]))
    for (const [browserId, waiting] of taken) {
      const spot = spots.get(browserId)
      for (const answer of waiting.answers) {
        if (spot) answer.resolve(spot)
        else answer.reject(new Error('waiting_room_visits() answered nothing for a browser it was asked about'))
      }
    }
  } catch (error) {
    // one call for all of them: each gets its error (a look may simply be made again)
    for (const [, waiting] of taken) for (const answer of waiting.answers) answer.reject(error)
  }
}
