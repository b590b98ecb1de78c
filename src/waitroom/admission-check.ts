/**
 * The waiting room's one check in front of holding (the hold form and the JSON API call it before
 * createReservation): while an event's queue runs, only a browser with a valid admission may hold. It also
 * counts hold requests for an event with an automatic threshold and turns high demand on when they pass it.
 */
import type { Context } from 'hono'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { dropAdmission, readAdmission } from './admission.ts'
import { findQueueEventById, switchOnHighDemand } from './queue-queries.ts'
import { queueRuns } from './queue-service.ts'
import { knownSoldOut } from '../tickets/sold-out-memory.ts'

type HoldItems = Parameters<typeof knownSoldOut>[1]

/** May hold; must queue first (`expired`: its admission ran out); or showed an admission that is not its own. */
export type HoldGate = { kind: 'open' } | { kind: 'queue'; slug: string; expired: boolean } | { kind: 'refused'; slug: string }

export async function holdGate(c: Context<AppEnv>, eventId: string, items: HoldItems): Promise<HoldGate> {
  // nothing of it can be had: the hold answers sold out from memory, with no database call, queue or not
  if (knownSoldOut(eventId, items, c.var.now) !== undefined) return { kind: 'open' }
  const read = await findQueueEventById(c.var.db, eventId, c.var.now)
  if (!read) return { kind: 'open' } // the hold itself answers 404
  let event = read
  if (!event.high_demand && event.auto_queue_threshold !== null) {
    const rush = await c.var.services.rateLimiter.hit(`waitroom:${event.id}`, { limit: event.auto_queue_threshold, windowSeconds: 60 })
    if (!rush.allowed) {
      await withContext(c.var.db, SYSTEM, (trx) => switchOnHighDemand(trx, event.id, c.var.now))
      // (a copy: holds in flight may share the read)
      event = { ...event, high_demand: true }
    }
  }
  if (!queueRuns(event)) return { kind: 'open' }
  const admission = await readAdmission(c, event.id)
  if (admission.kind === 'valid') return { kind: 'open' }
  if (admission.kind === 'forged') {
    dropAdmission(c, event.id)
    return { kind: 'refused', slug: event.slug }
  }
  if (admission.kind === 'expired') dropAdmission(c, event.id)
  return { kind: 'queue', slug: event.slug, expired: admission.kind === 'expired' }
}

/** Where the queue of an event is. */
export function queuePath(slug: string, notice?: 'expired' | 'invalid'): string {
  return `/events/${slug}/queue${notice ? `?admission=${notice}` : ''}`
}
