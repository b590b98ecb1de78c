/**
 * The waiting room: where a browser stands in an event's queue, and whether it may hold yet.
 *
 * Nothing runs in the background: the gate is moved on whenever someone looks (by the rate, for the time
 * since the last look, only while tickets are left), and a browser whose place is at or under the gate is
 * admitted for ADMISSION_MS. Before the sale opens, arrivals only wait (their secret random draw orders
 * them at the opening); sold out (nothing left and no hold that could still expire) answers everyone at once.
 */
import type { Database } from '../db/database.ts'
import { ANONYMOUS, SYSTEM, withContext } from '../db/request-context.ts'
import { isSelling } from '../events/status.ts'
import { ADMISSION_MS } from './admission.ts'
import { openHoldCount, ticketsLeft, type QueueEvent } from './queue-queries.ts'
import type { QueueStore } from './queue-store.ts'

export type QueueStatus = 'waiting' | 'admitted' | 'sold_out' | 'closed'

export interface QueueView {
  status: QueueStatus
  ticketsLeft: number
  /** Before the opening: places are drawn when it opens. */
  opensAt?: Date
  /** The browser's place (1 = next); absent before the opening and once admitted or over. */
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

/** What is left of the event now, and whether anything may still come back. */
export async function stock(db: Database, eventId: string, now: Date): Promise<{ left: number; soldOut: boolean }> {
  const left = await withContext(db, ANONYMOUS, (trx) => ticketsLeft(trx, eventId, now))
  if (left > 0) return { left, soldOut: false }
  const holds = await withContext(db, SYSTEM, (trx) => openHoldCount(trx, eventId, now))
  return { left, soldOut: holds === 0 }
}

export interface VisitInput {
  db: Database
  store: QueueStore
  event: QueueEvent
  browserId: string
  now: Date
  perMinute: number
}

/** The browser's visit to the queue page: joins it if new, moves the gate, answers where it stands. */
export async function visitQueue(input: VisitInput): Promise<QueueView> {
  const { db, store, event, browserId, now, perMinute } = input
  const { left, soldOut } = await stock(db, event.id, now)
  if (!queueRuns(event)) return { status: 'closed', ticketsLeft: left }
  if (soldOut) return { status: 'sold_out', ticketsLeft: 0 }
  if (beforeOpening(event, now)) {
    await store.join(event.id, browserId, true)
    return { status: 'waiting', ticketsLeft: left, opensAt: event.opens_at! }
  }
  await store.join(event.id, browserId, false)
  const nowMs = now.getTime()
  const gate = await store.advance(event.id, { nowMs, opensAtMs: event.opens_at?.getTime() ?? 0, perMinute, flowing: left > 0 })
  let position = await store.position(event.id, browserId)
  let rejoined = false
  if (position !== undefined && position <= Math.floor(gate.admitted)) {
    const until = await store.admit(event.id, browserId, nowMs + ADMISSION_MS)
    if (until > nowMs) return { status: 'admitted', ticketsLeft: left, admittedUntil: new Date(until) }
    // the admission ran out unused: back to the end of the queue
    await store.leave(event.id, browserId)
    await store.join(event.id, browserId, false)
    position = await store.position(event.id, browserId)
    rejoined = true
  }
  const place = position ?? 1
  const ahead = Math.max(0, place - Math.floor(gate.admitted))
  return { status: 'waiting', ticketsLeft: left, position: ahead, waitMinutes: Math.max(1, Math.ceil(ahead / perMinute)), rejoined }
}
