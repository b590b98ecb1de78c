/**
 * The rows a paid reservation gets. Normally its own held rows; when its hold lapsed and some rows were
 * taken by other buyers, free rows of the same types stand in (the buyer paid, the seats are free, so
 * the sale is honoured). All or nothing: if any type has too few free rows, nothing is claimed.
 *
 * Row locks decide races with new holds: our own rows are locked with FOR UPDATE (a hold that took one
 * first has moved it to its reservation, and the re-checked WHERE drops it), and stand-ins are taken
 * with SKIP LOCKED, as holds take them, so neither side ever gets the same row.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { ReservationItem } from '../db/schema.ts'
import { moveTickets } from './lifecycle.ts'

export interface PaidReservation {
  id: string
  items: ReservationItem[]
  expires_at: Date
}

/** The reservation's ticket ids, now all its own and still unpaid, or null when the sale cannot stand. */
export async function claimRowsForPayment(trx: Queryable, reservation: PaidReservation, now: Date): Promise<string[] | null> {
  const own = await trx.selectFrom('tickets').select(['id', 'ticket_type_id'])
    .where('reservation_id', '=', reservation.id).where('status', '=', 'pending_payment')
    .orderBy('id').forUpdate().execute()
  const items = reservation.items.length > 0 ? reservation.items : ownItems(own)
  const standIns: Array<{ ids: string[]; item: ReservationItem }> = []
  for (const item of items) {
    const missing = item.quantity - own.filter((row) => row.ticket_type_id === item.ticketTypeId).length
    if (missing <= 0) continue
    // SKIP LOCKED does not skip rows this transaction locked itself: leave out our own rows explicitly
    const free = await trx.selectFrom('tickets').select('id')
      .where('ticket_type_id', '=', item.ticketTypeId).where('claimable_after', '<=', now)
      .where((eb) => eb.or([eb('reservation_id', 'is', null), eb('reservation_id', '<>', reservation.id)]))
      .orderBy('claimable_after').orderBy('id').limit(missing).forUpdate().skipLocked().execute()
    if (free.length < missing) return null
    standIns.push({ ids: free.map((row) => row.id), item })
  }
  for (const { ids, item } of standIns) {
    const claim = {
      reservation_id: reservation.id, price_minor: item.unitPriceMinor,
      claimable_after: sql<Date>`'infinity'::timestamptz`, reserved_until: null, user_id: null, original_user_id: null,
    }
    // free rows become this reservation's held ones (through the table); a lapsed hold's row is already held and only changes hands
    const moved = await moveTickets(trx, ['available', 'expired'], 'pending_payment', { ids }, claim, now)
    if (moved < ids.length) {
      await trx.updateTable('tickets').set({ ...claim, updated_at: now }).where('id', 'in', ids).where('status', '=', 'pending_payment').execute()
    }
  }
  const ids = new Set([...own.map((row) => row.id), ...standIns.flatMap((claim) => claim.ids)])
  const wanted = items.reduce((sum, item) => sum + item.quantity, 0)
  return ids.size > 0 && ids.size === wanted ? [...ids] : null
}

/** Reservations made before items were recorded: what their own rows say. */
function ownItems(own: Array<{ ticket_type_id: string }>): ReservationItem[] {
  const counts = new Map<string, number>()
  for (const row of own) counts.set(row.ticket_type_id, (counts.get(row.ticket_type_id) ?? 0) + 1)
  return [...counts].map(([ticketTypeId, quantity]) => ({ ticketTypeId, name: '', quantity, unitPriceMinor: 0, subtotalMinor: 0 }))
}
