/**
 * The event lifecycle: draft → published → ongoing → completed, and cancelled from any of the first three.
 * Every status change goes through `assertTransition`; only published and ongoing events sell.
 */
import type { EventStatus } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'

const NEXT: Record<EventStatus, readonly EventStatus[]> = {
  draft: ['published', 'cancelled'],
  published: ['ongoing', 'cancelled'],
  ongoing: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
}

export const EVENT_STATUSES = Object.keys(NEXT) as EventStatus[]

export function allowedTransitions(from: EventStatus): readonly EventStatus[] {
  return NEXT[from]
}

export function assertTransition(from: EventStatus, to: EventStatus): void {
  if (!NEXT[from].includes(to)) {
    throw new DomainError(409, 'illegal_status_change', 'events.illegalTransition', { from, to })
  }
}

export function isSelling(status: EventStatus): boolean {
  return status === 'published' || status === 'ongoing'
}
