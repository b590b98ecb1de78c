/**
 * An event's life over time: when it is over, how early it may be started by hand, and the sweep that
 * moves published → ongoing at its start and ongoing → completed at its end (the scheduler runs it every
 * tick). The same end is hold_tickets()'s `event_end()` (migration 0012): sales stop there at the latest.
 */
import { sql } from 'kysely'
import type { Database, Queryable } from '../db/database.ts'
import type { Event } from '../db/schema.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { assertTransition } from './status.ts'

/** An event without an end time is taken to last this long (as event_end() in SQL). */
export const DEFAULT_EVENT_MS = 6 * 3600 * 1000
/** By hand, an event may be marked as happening now from this long before its start, not earlier. */
export const ONGOING_EARLY_MS = 12 * 3600 * 1000

export function eventEnd(event: Pick<Event, 'starts_at' | 'ends_at'>): Date {
  return event.ends_at ?? new Date(event.starts_at.getTime() + DEFAULT_EVENT_MS)
}

export function hasEnded(event: Pick<Event, 'starts_at' | 'ends_at'>, now: Date): boolean {
  return eventEnd(event) <= now
}

/** The bounds on moving an event by hand: not "ongoing" long before it starts, not "completed" before it began. */
export function assertManualTiming(event: Pick<Event, 'starts_at' | 'ends_at'>, to: Event['status'], now: Date) {
  if (to === 'ongoing' && event.starts_at.getTime() - now.getTime() > ONGOING_EARLY_MS) {
    throw new DomainError(422, 'too_early', 'events.tooEarlyOngoing', { hours: ONGOING_EARLY_MS / 3600_000 })
  }
  if (to === 'completed' && event.starts_at > now) throw new DomainError(422, 'too_early', 'events.tooEarlyCompleted')
}

/** Moves every event whose time has come, through the status table. Returns how many moved. */
export async function advanceEvents(db: Database, now: Date): Promise<number> {
  return withContext(db, SYSTEM, async (trx) => {
    let moved = 0
    // published events past their start go ongoing first, so one that was missed entirely still passes through it
    moved += await advance(trx, 'published', 'ongoing', sql<boolean>`starts_at <= ${now}`, now)
    moved += await advance(trx, 'ongoing', 'completed', sql<boolean>`event_end(starts_at, ends_at) <= ${now}`, now)
    return moved
  })
}

async function advance(trx: Queryable, from: Event['status'], to: Event['status'], due: ReturnType<typeof sql<boolean>>, now: Date) {
  assertTransition(from, to)
  const result = await trx.updateTable('events').set({ status: to, updated_at: now })
    .where('status', '=', from).where(due).executeTakeFirst()
  return Number(result.numUpdatedRows)
}
