/** Queries of the ticket pages: a buyer's own tickets, and the tickets that go into a PDF. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'

/**
 * The buyer's active, used and cancelled tickets with what the wallet shows (event, venue, type, price,
 * holder, state, the transfer in progress, the live resale listing), by event start; row-level security also limits them to their own.
 */
export function listOwnTickets(db: Queryable, userId: string) {
  return db.selectFrom('tickets as t')
    .innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .leftJoin('users as u', 'u.id', 't.user_id')
    .leftJoin('transactions as p', 'p.id', 't.transaction_id')
    .leftJoin('transfers as tr', (join) => join.onRef('tr.ticket_id', '=', 't.id').on('tr.status', '=', 'pending'))
    .leftJoin('marketplace_listings as ml', (join) => join.onRef('ml.ticket_id', '=', 't.id').on('ml.status', '=', 'active'))
    .select(['t.id', 't.status', 't.qr_code', 't.qr_version', 't.price_minor', 't.currency', 't.scanned_at', 't.transfer_count',
      'tt.name as type_name', 'e.title', 'e.slug', 'e.starts_at', 'e.status as event_status', 'e.venue_name', 'e.venue_address',
      'e.venue_city', 'e.venue_latitude', 'e.venue_longitude', 'e.allow_transfers', 'e.max_transfers', 'e.transfer_fee_minor',
      'u.name as holder_name', 'p.status as payment_status', 'tr.id as pending_transfer_id', 'tr.to_contact as pending_to',
      'tr.to_channel as pending_channel', 'tr.sender_confirmed_at as pending_confirmed_at', 'tr.expires_at as pending_expires_at',
      'e.allow_resale', 'e.resale_price_cap_pct', 'e.resale_fee_pct', 'ml.id as listing_id', 'ml.listing_price_minor',
      // bought on the resale marketplace: the price this owner paid, not the face value
      sql<number>`case when p.transaction_type = 'resale' then p.amount_minor else t.price_minor end`.as('paid_minor')])
    .where('t.user_id', '=', userId).where('t.status', 'in', ['active', 'used', 'cancelled'])
    .orderBy('e.starts_at').orderBy('t.id').execute()
}

/** Tickets this person transferred away (they are someone else's now, so this runs in the platform context, for their transfers only). */
export function listTransferredAway(db: Queryable, userId: string) {
  return db.selectFrom('transfers as tr').innerJoin('tickets as t', 't.id', 'tr.ticket_id')
    .innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id').innerJoin('events as e', 'e.id', 't.event_id')
    .select(['tr.id', 'tr.ticket_id', 'tr.to_contact', 'tr.to_channel', 'tr.completed_at', 'tt.name as type_name', 'e.title', 'e.starts_at'])
    .where('tr.from_user_id', '=', userId).where('tr.status', '=', 'completed')
    .where((eb) => eb.or([eb('t.user_id', 'is', null), eb('t.user_id', '!=', userId)]))
    .orderBy('tr.completed_at', 'desc').limit(100).execute()
}

/** A signed-in buyer's running holds (unpaid reservations), on whatever device they made them. */
export function listOwnHolds(db: Queryable, userId: string, now: Date) {
  return db.selectFrom('reservations as r').innerJoin('events as e', 'e.id', 'r.event_id')
    .select(['r.id', 'r.expires_at', 'r.total_minor', 'r.currency', 'e.title', 'e.starts_at'])
    .where('r.user_id', '=', userId).where('r.status', '=', 'held').where('r.expires_at', '>', now)
    .orderBy('r.expires_at').limit(50).execute()
}

/** The ticket's id if it is this person's, else undefined. */
export async function findOwnTicketId(db: Queryable, ticketId: string, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('tickets').select('id').where('id', '=', ticketId).where('user_id', '=', userId).executeTakeFirst()
  return row?.id
}

/** The active ones of these tickets, with what a PDF ticket prints (and the event's template). */
export function listTicketsForPdf(db: Queryable, ticketIds: string[]) {
  return db.selectFrom('tickets as t').innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .select(['t.id', 't.qr_code', 't.status', 'tt.name as type_name', 'e.title', 'e.starts_at', 'e.venue_name', 'e.venue_city',
      'e.ticket_template_url'])
    // a ticket whose transfer is in progress has no live code: nothing to print
    .where('t.id', 'in', ticketIds).where('t.status', '=', 'active').where('t.qr_code', 'is not', null).orderBy('t.id').execute()
}
