/**
 * The waiting room: where a browser stands in an event's queue, and whether it may hold yet.
 *
 * Nothing runs in the background: the gate is moved on whenever someone looks (by the rate, for the time
 * since the last look, only while tickets are left), and a browser whose place is at or under the gate is
 * admitted for ADMISSION_MS. Before the sale opens, arrivals only wait (their secret random draw orders
 * them at the opening); sold out (nothing left and no hold that could still expire) answers everyone at once.
 */
import { isSelling } from '../events/status.ts'
import { ADMISSION_MS } from './admission.ts'
import type { QueueEvent, QueueLook } from './queue-queries.ts'
import type { QueueStore } from './queue-store.ts'

export type QueueStatus = 'waiting' | 'admitted' | 'sold_out' | 'closed'

export interface QueueView {
  status: QueueStatus
  ticketsLeft: number
  /** Before the opening: places are drawn when it opens. */
  opensAt?: Date
  /** The browser's place (1 = next); absent before the opening, once admitted or over, and while it has none. */
  position?: number
  /** Minutes until the browser's turn, rounded up. */
  waitMinutes?: number
  /** The end of the browser's admission. */
  admittedUntil?: Date
  /** The browser's earlier admission ran out: it is back at the end of the queue. */
  rejoined?: boolean
}

/** Whether buyers of this event go through the queue now. */
export function queueRuns(event: QueueEvent): boolean {
  return event.high_demand && isSelling(event.status) && !event.sales_over
}

/** Whether the sale has not opened yet (the pre-queue). */
export function beforeOpening(event: QueueEvent, now: Date): boolean {
  return event.opens_at !== null && event.opens_at > now
}

export interface VisitInput {
  store: QueueStore
  /** The event and its tickets left, as the look read them (findQueueLook). */
  event: QueueLook
  /** The browser's id: its own, or one made for it (asked only when the store is: a newcomer told nothing is left needs none). */
  browserId: () => string
  /** The browser has no id yet: it has no place anywhere. */
  newBrowser: boolean
  now: Date
  perMinute: number
}

/** The browser's visit to the queue page: joins it if new, moves the gate, answers where it stands. */
export async function visitQueue(input: VisitInput): Promise<QueueView> {
  const { store, event, now, perMinute } = input
  const left = event.ticketsLeft
  if (!queueRuns(event)) return { status: 'closed', ticketsLeft: left }
  // sold out: nothing is left and no hold could still expire and bring tickets back
  if (left === 0 && !event.holdsOpen) return { status: 'sold_out', ticketsLeft: 0 }
  const preQueue = beforeOpening(event, now)
  // every ticket is held by buyers paying: a newcomer cannot get one now, and learns it without a database call
  if (left === 0 && !preQueue && input.newBrowser) return { status: 'waiting', ticketsLeft: 0 }
  const nowMs = now.getTime()
  const look = { preQueue, nowMs, perMinute, flowing: left > 0, admissionMs: ADMISSION_MS }
  const browserId = input.browserId()
  let spot = await store.visit(event.id, browserId, look)
  if (look.preQueue) return { status: 'waiting', ticketsLeft: left, opensAt: event.opens_at! }
  let rejoined = false
  if (spot.admittedUntilMs !== undefined) {
    if (spot.admittedUntilMs > nowMs) return { status: 'admitted', ticketsLeft: left, admittedUntil: new Date(spot.admittedUntilMs) }
    // the admission ran out unused: back to the end of the queue
    await store.leave(event.id, browserId)
    spot = await store.visit(event.id, browserId, look)
    rejoined = true
  }
  // nothing left and no place: its first look once tickets are back gives it one
  if (spot.position === undefined) return { status: 'waiting', ticketsLeft: left, rejoined }
  const place = spot.position
  const ahead = Math.max(0, place - Math.floor(spot.admitted))
  return { status: 'waiting', ticketsLeft: left, position: ahead, waitMinutes: Math.max(1, Math.ceil(ahead / perMinute)), rejoined }
}
