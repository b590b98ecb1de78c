/**
 * The ticket lifecycle, every transition in one place:
 *
 *   available → pending_payment (held) → paid → active (signed code issued) → used (admitted)
 *   pending_payment → available (released or expired), active → transferred (to a new holder's ticket),
 *   any unused state → cancelled (event cancelled, refund), pending_payment → expired (late payment refused)
 *   used → active (a mistaken admission undone from the same phone within two minutes: src/scanning/undo.ts)
 */
import { sql, type UpdateObject } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { DB, TicketStatus } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { forgetSoldOut } from './sold-out-memory.ts'

const NEXT: Record<TicketStatus, readonly TicketStatus[]> = {
  available: ['pending_payment', 'cancelled'],
  pending_payment: ['available', 'paid', 'expired', 'cancelled'],
  paid: ['active', 'cancelled'],
  active: ['used', 'transferred', 'cancelled'],
  used: ['active'],
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

/** Which tickets a move applies to: by id, by reservation, or every ticket of an event. */
export type TicketScope = { ids: string[] } | { reservationId: string } | { reservationIds: string[] } | { eventId: string }

/**
 * Moves the scoped tickets that are in one of `from` to `to`, with the other columns in `set`. Every
 * `from → to` must be in the table (checked first, so a wrong call fails whatever the rows are), and
 * the UPDATE only touches rows still in one of `from`. Returns how many moved.
 */
export async function moveTickets(
  trx: Queryable, from: readonly TicketStatus[], to: TicketStatus, scope: TicketScope,
  set: Omit<UpdateObject<DB, 'tickets'>, 'status'>, now: Date,
): Promise<number> {
  for (const state of from) assertTicketTransition(state, to)
  if (from.length === 0 || ('ids' in scope && scope.ids.length === 0) || ('reservationIds' in scope && scope.reservationIds.length === 0)) return 0
  let query = trx.updateTable('tickets').set({ ...set, status: to, updated_at: now }).where('status', 'in', [...from])
  if ('ids' in scope) query = query.where('id', 'in', scope.ids)
  else if ('reservationId' in scope) query = query.where('reservation_id', '=', scope.reservationId)
  else if ('reservationIds' in scope) query = query.where('reservation_id', 'in', scope.reservationIds)
  else query = query.where('event_id', '=', scope.eventId)
  const result = await query.executeTakeFirst()
  const moved = Number(result.numUpdatedRows)
  // tickets on sale again (a release, the expiry sweep): this process's sold-out answers are void
  if (to === 'available' && moved > 0) forgetSoldOut()
  return moved
}

/**
 * Invariant 4: ONE statement decides admission (and ends the ticket's resale listing, if it has one). Only an active ticket of this event at this QR version
 * becomes used; of two scanners racing, the second's UPDATE re-reads the row after the first commits,
 * finds it used and matches nothing.
 */
export async function admitTicket(db: Queryable, input: { ticketId: string; eventId: string; qrVersion: number; scannerId: string; at: Date; now: Date }) {
  assertTicketTransition('active', 'used')
  // the type and holder come back with the admission itself: one statement on the hot path
  const result = await sql<{ id: string; type_name: string; holder_name: string | null }>`
    with admitted as (
      update tickets set status = 'used', scanned_at = ${input.at}, scanned_by = ${input.scannerId}, updated_at = ${input.now}
      where id = ${input.ticketId} and event_id = ${input.eventId} and status = 'active' and qr_version = ${input.qrVersion}
      returning id, ticket_type_id, user_id),
    -- a listed ticket admits its seller until it sells; admitted, it can no longer be sold (invariant 10), in this
    -- same statement: a resale payment that comes after finds the listing cancelled and is refunded
    delisted as (
      update marketplace_listings set status = 'cancelled', ended_at = ${input.now}, end_reason = 'admitted'
      where ticket_id in (select id from admitted) and status = 'active')
    select a.id, tt.name as type_name, u.name as holder_name
    from admitted a join ticket_types tt on tt.id = a.ticket_type_id left join users u on u.id = a.user_id`.execute(db)
  return result.rows[0]
}
