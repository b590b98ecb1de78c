/**
 * SQL behind ticket-owner.ts: a paid reservation found by its token's hash, and whether a ticket (or a
 * transfer or listing of it) is still its buyer's. A ticket leaves its buyer when it is resold (its
 * reservation_id becomes the resale's) or a transfer of it completes after the reservation was made.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'

export function findPaidReservationByTokenHash(db: Queryable, tokenHash: string) {
  return db.selectFrom('reservations').select(['id', 'created_at', 'access_token_hash'])
    .where('access_token_hash', '=', tokenHash).where('status', '=', 'paid').executeTakeFirst()
}

/** The owner of a ticket of this reservation that never left its buyer, or undefined. */
export async function buyerOfReservationTicket(db: Queryable, ticketId: string, reservation: { id: string; created_at: Date }) {
  const row = await db.selectFrom('tickets as t').select('t.user_id')
    .where('t.id', '=', ticketId).where('t.reservation_id', '=', reservation.id)
    .where(() => sql<boolean>`not exists (select 1 from transfers mv where mv.ticket_id = t.id and mv.status = 'completed'
      and mv.created_at >= ${reservation.created_at})`)
    .executeTakeFirst()
  return row?.user_id ?? undefined
}

/** The sender of a transfer of this reservation's ticket that the buyer started (while it was still theirs), or undefined. */
export async function buyerOfReservationTransfer(db: Queryable, transferId: string, reservation: { id: string; created_at: Date }) {
  const row = await db.selectFrom('transfers as tr').innerJoin('tickets as t', 't.id', 'tr.ticket_id').select('tr.from_user_id')
    .where('tr.id', '=', transferId).where('t.reservation_id', '=', reservation.id).where('tr.created_at', '>=', reservation.created_at)
    .where(() => sql<boolean>`not exists (select 1 from transfers mv where mv.ticket_id = t.id and mv.status = 'completed'
      and mv.created_at >= ${reservation.created_at} and mv.id <> tr.id and mv.created_at < tr.created_at)`)
    .executeTakeFirst()
  return row?.from_user_id
}

/** The seller of a listing of this reservation's ticket, listed by its buyer, or undefined. */
export async function buyerOfReservationListing(db: Queryable, listingId: string, reservation: { id: string; created_at: Date }) {
  const row = await db.selectFrom('marketplace_listings as l').innerJoin('tickets as t', 't.id', 'l.ticket_id').select('l.seller_id')
    .where('l.id', '=', listingId).where('t.reservation_id', '=', reservation.id).where('l.created_at', '>=', reservation.created_at)
    .where(() => sql<boolean>`not exists (select 1 from transfers mv where mv.ticket_id = t.id and mv.status = 'completed'
      and mv.created_at >= ${reservation.created_at} and mv.created_at < l.created_at)`)
    .executeTakeFirst()
  return row?.seller_id
}
