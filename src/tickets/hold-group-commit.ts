/**
 * Group commit of holds: the holds of one event that arrive within a few milliseconds of each other go
 * to the database together, in one transaction (hold_tickets_batch(), migrations/0027), each still all
 * or nothing on its own and idempotent by its key, the per-client cap counted as for one hold. One
 * transaction commit (one WAL flush, one round trip, one event lookup) then pays for many holds.
 *
 * A group waits at most `windowMs` after its first hold, or less when it fills up (MAX_GROUP), and at
 * most MAX_GROUPS_IN_FLIGHT groups per event are at the database at once: under load the next group
 * gathers while the last one commits, so groups grow with the rush and cost nothing when it is quiet.
 * If a whole group is rolled back (a deadlock, a serialization failure), each hold is tried again on its own.
 */
import { sql } from 'kysely'
import type { AppConfig } from '../config.ts'
import type { Database } from '../db/database.ts'

/** Holds in one group: below the 64 subtransactions Postgres caches per backend, and a short transaction. */
export const MAX_GROUP = 50
/** Groups of one event at the database at once (per process). */
export const MAX_GROUPS_IN_FLIGHT = 4
/** How long the first hold of a group waits for others, by default. */
export const DEFAULT_GROUP_WINDOW_MS = 2

export interface GroupCommit {
  windowMs: number
}

/** The setting: HOLD_GROUP_COMMIT (on by default) and HOLD_GROUP_COMMIT_MS; undefined when off. */
export function holdGroupCommit(config: AppConfig): GroupCommit | undefined {
  if (config.holdGroupCommit === false) return undefined
  return { windowMs: config.holdGroupCommitMs ?? DEFAULT_GROUP_WINDOW_MS }
}

/** One hold as hold_tickets_batch() takes it. */
export interface GroupHold {
  items: Array<{ ticketTypeId: string; quantity: number }>
  userId: string | null
  tokenHash: string
  keyHash: string | null
  requestHash: string
  now: string
  clientKey: string | null
  maxOpenHolds: number
}

/** What hold_one() answers: a hold (made or replayed) or a refusal. */
export type HoldAnswer =
  | { created: boolean; reservation: Record<string, unknown>; error?: undefined }
  | { error: string; errcode: string; detail: string }

interface Waiting {
  hold: GroupHold
  resolve: (answer: HoldAnswer) => void
  reject: (error: unknown) => void
}

interface EventQueue {
  waiting: Waiting[]
  timer: ReturnType<typeof setTimeout> | undefined
  inFlight: number
}

const queues = new WeakMap<Database, Map<string, EventQueue>>()

/**
 * Queues one hold for the event's next group and answers when that group has committed. `alone` makes
 * the hold in a transaction of its own (used when a whole group failed).
 */
export function holdInGroup(
  db: Database, eventId: string, hold: GroupHold, options: GroupCommit, alone: (hold: GroupHold) => Promise<HoldAnswer>,
): Promise<HoldAnswer> {
  let byEvent = queues.get(db)
  if (!byEvent) queues.set(db, byEvent = new Map())
  let queue = byEvent.get(eventId)
  if (!queue) byEvent.set(eventId, queue = { waiting: [], timer: undefined, inFlight: 0 })
  const q = queue
  const answer = new Promise<HoldAnswer>((resolve, reject) => q.waiting.push({ hold, resolve, reject }))
  schedule(db, eventId, q, options, alone)
  return answer
}

function schedule(db: Database, eventId: string, queue: EventQueue, options: GroupCommit, alone: (hold: GroupHold) => Promise<HoldAnswer>) {
  if (queue.timer !== undefined || queue.waiting.length === 0 || queue.inFlight >= MAX_GROUPS_IN_FLIGHT) return
  const wait = queue.waiting.length >= MAX_GROUP ? 0 : options.windowMs
  queue.timer = setTimeout(() => {
    queue.timer = undefined
    if (queue.inFlight >= MAX_GROUPS_IN_FLIGHT) return
    const group = takeGroup(queue)
    queue.inFlight++
    commitGroup(db, eventId, group, alone).finally(() => {
      queue.inFlight--
      if (queue.waiting.length === 0 && queue.inFlight === 0) queues.get(db)?.delete(eventId)
      else schedule(db, eventId, queue, options, alone)
    })
    schedule(db, eventId, queue, options, alone)
  }, wait)
}

/** Up to MAX_GROUP holds, in arrival order; a second hold with a key already in the group waits for the next. */
function takeGroup(queue: EventQueue): Waiting[] {
  const group: Waiting[] = []
  const rest: Waiting[] = []
  const keys = new Set<string>()
  for (const waiting of queue.waiting) {
    const key = waiting.hold.keyHash === null ? null : `${waiting.hold.userId ?? ''}|${waiting.hold.keyHash}`
    if (group.length >= MAX_GROUP || (key !== null && keys.has(key))) rest.push(waiting)
    else {
      group.push(waiting)
      if (key !== null) keys.add(key)
    }
  }
  queue.waiting = rest
  return group
}

async function commitGroup(db: Database, eventId: string, group: Waiting[], alone: (hold: GroupHold) => Promise<HoldAnswer>) {
  let answers: HoldAnswer[]
  try {
    const { rows } = await sql<{ answers: HoldAnswer[] }>`
      select hold_tickets_batch(${eventId}, ${group.map((waiting) => waiting.hold)}::jsonb) as answers`.execute(db)
    answers = rows[0]!.answers
  } catch (error) {
    const { code } = error as { code?: string }
    // the event itself refused (no such event, not on sale): the same answer for everyone
    if (code === 'TK404' || code === 'TK409') {
      for (const waiting of group) waiting.reject(error)
      return
    }
    // a deadlock or a serialization failure rolled the whole group back: each hold on its own. Anything
    // else (a lost connection) may have committed: retrying a hold without a key could hold twice.
    if (code?.startsWith('40')) {
      await Promise.all(group.map((waiting) => alone(waiting.hold).then(waiting.resolve, waiting.reject)))
    } else {
      for (const waiting of group) waiting.reject(error)
    }
    return
  }
  group.forEach((waiting, i) => waiting.resolve(answers[i]!))
}
