/**
 * The ticket lifecycle, every transition in one place:
 *
 *   available → pending_payment (held) → paid → active (signed code issued) → used (admitted)
 *   pending_payment → available (released or expired), active → transferred (to a new holder's ticket),
 *   any unused state → cancelled (event cancelled, refund), pending_payment → expired (late payment refused)
 */
import type { TicketStatus } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'

const NEXT: Record<TicketStatus, readonly TicketStatus[]> = {
  available: ['pending_payment', 'cancelled'],
  pending_payment: ['available', 'paid', 'expired', 'cancelled'],
  paid: ['active', 'cancelled'],
  active: ['used', 'transferred', 'cancelled'],
  used: [],
  transferred: [],
  expired: ['available'],
  cancelled: [],
}

export function canTransition(from: TicketStatus, to: TicketStatus): boolean {
  return NEXT[from].includes(to)
}

export function assertTicketTransition(from: TicketStatus, to: TicketStatus): void {
  if (!canTransition(from, to)) throw new DomainError(409, 'illegal_ticket_transition', 'tickets.illegalTransition')
}

/** States from which a ticket may move to `to`, for conditional UPDATEs (`where status in (…)`). */
export function statesBefore(to: TicketStatus): TicketStatus[] {
  return (Object.keys(NEXT) as TicketStatus[]).filter((from) => NEXT[from].includes(to))
}
