/** Queries of the resale marketplace: the ticket a listing sells, listings, their holds, sales and payouts. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'

/** The ticket with what the listing rules need (its event's settings, a transfer in progress, a live listing), locked. */
export function lockTicketForListing(db: Queryable, ticketId: string) {
  return db.selectFrom('tickets as t').innerJoin('events as e', 'e.id', 't.event_id')
    .leftJoin('transactions as paid', 'paid.id', 't.transaction_id')
    .select(['t.id', 't.tenant_id', 't.event_id', 't.user_id', 't.status', 't.price_minor', 't.currency', 't.qr_version',
      't.transaction_id', 'paid.transaction_type as paid_type', 'paid.amount_minor as paid_amount_minor',
      'e.allow_resale', 'e.resale_price_cap_pct', 'e.starts_at', 'e.status as event_status',
      (eb) => eb.exists(eb.selectFrom('transfers as tr').select('tr.id')
        .whereRef('tr.ticket_id', '=', 't.id').where('tr.status', '=', 'pending')).as('transfer_pending'),
      (eb) => eb.exists(eb.selectFrom('marketplace_listings as l').select('l.id')
        .whereRef('l.ticket_id', '=', 't.id').where('l.status', '=', 'active')).as('listed')])
    .where('t.id', '=', ticketId).forUpdate('t').executeTakeFirst()
}

/** The ticket a listing sells (to lock the ticket first, then the listing: the order the gate's admission takes them in). */
export function ticketOfListing(db: Queryable, listingId: string) {
  return db.selectFrom('marketplace_listings').select(['ticket_id']).where('id', '=', listingId).executeTakeFirst()
}

export function lockTicket(db: Queryable, ticketId: string) {
  return db.selectFrom('tickets').select(['id', 'tenant_id', 'event_id', 'user_id', 'status', 'qr_version', 'ticket_type_id'])
    .where('id', '=', ticketId).forUpdate().executeTakeFirst()
}

export function lockListing(db: Queryable, listingId: string) {
  return db.selectFrom('marketplace_listings').selectAll().where('id', '=', listingId).forUpdate().executeTakeFirst()
}

/** The hold (an unexpired, unpaid reservation) on a listing, other than `except`. */
export function liveHoldOf(db: Queryable, listingId: string, now: Date, except?: string) {
  let query = db.selectFrom('reservations').select(['id', 'expires_at']).where('listing_id', '=', listingId)
    .where('status', '=', 'held').where('expires_at', '>', now)
  if (except) query = query.where('id', '<>', except)
  return query.executeTakeFirst()
}

/** The live holds among these listings. */
export function heldAmong(db: Queryable, listingIds: string[], now: Date) {
  return db.selectFrom('reservations').select('listing_id').where('listing_id', 'in', listingIds)
    .where('status', '=', 'held').where('expires_at', '>', now).execute()
}

/** Ends an active listing without a sale. */
export function endListing(db: Queryable, listingId: string, reason: 'withdrawn' | 'admitted' | 'event_cancelled' | 'ticket_gone', now: Date) {
  return db.updateTable('marketplace_listings').set({ status: 'cancelled', ended_at: now, end_reason: reason })
    .where('id', '=', listingId).where('status', '=', 'active').execute()
}

/** Ends every active listing of an event (it was cancelled). */
export function endListingsOfEvent(db: Queryable, eventId: string, now: Date) {
  return db.updateTable('marketplace_listings').set({ status: 'cancelled', ended_at: now, end_reason: 'event_cancelled' })
    .where('event_id', '=', eventId).where('status', '=', 'active').execute()
}

export function contactOfUser(db: Queryable, userId: string) {
  return db.selectFrom('users').select(['id', 'name', 'phone', 'phone_verified_at', 'email', 'email_verified_at', 'is_guest'])
    .where('id', '=', userId).executeTakeFirst()
}

/**
 * The active listings of an event that are on offer, with whether a buyer holds each right now, cheapest first.
 * Read in the platform context: holds are other buyers' reservations; only these columns leave.
 */
export function listingsOnOffer(db: Queryable, eventId: string, now: Date, limit = 100) {
  return db.selectFrom('marketplace_listings as l').innerJoin('tickets as t', 't.id', 'l.ticket_id')
    .innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id').innerJoin('events as e', 'e.id', 'l.event_id')
    .select(['l.id', 'l.ticket_id', 'l.listing_price_minor', 'l.original_price_minor', 'l.currency', 'l.created_at',
      'tt.id as ticket_type_id', 'tt.name as type_name',
      (eb) => eb.exists(eb.selectFrom('reservations as r').select('r.id').whereRef('r.listing_id', '=', 'l.id')
        .where('r.status', '=', 'held').where('r.expires_at', '>', now)).as('held')])
    .where('l.event_id', '=', eventId).where('l.status', '=', 'active').where('e.status', 'in', ['published', 'ongoing'])
    .orderBy('l.listing_price_minor').orderBy('l.created_at').limit(limit).execute()
}

/** A listing as its seller sees it (API answers). */
export function findSellerListing(db: Queryable, listingId: string, sellerId: string) {
  return db.selectFrom('marketplace_listings')
    .select(['id', 'ticket_id', 'event_id', 'status', 'listing_price_minor', 'max_price_minor', 'currency', 'payout_phone', 'created_at', 'sold_at', 'ended_at'])
    .where('id', '=', listingId).where('seller_id', '=', sellerId).executeTakeFirst()
}

/** The seller's tickets sold on resale, with their payout's state (platform context: the tickets are the buyers' now). */
export function soldListingsOf(db: Queryable, sellerId: string) {
  return db.selectFrom('marketplace_listings as l').innerJoin('events as e', 'e.id', 'l.event_id')
    .innerJoin('tickets as t', 't.id', 'l.ticket_id').innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .leftJoin('payouts as p', 'p.listing_id', 'l.id')
    .select(['l.id', 'l.listing_price_minor', 'l.currency', 'l.sold_at', 'e.title', 'e.starts_at', 'tt.name as type_name',
      'p.status as payout_status', 'p.amount_minor as payout_minor'])
    .where('l.seller_id', '=', sellerId).where('l.status', '=', 'sold')
    .orderBy('l.sold_at', 'desc').limit(100).execute()
}

/** A manager's view of an event's listings with their sale and payout (row-level security keeps it to their tenant). */
export function listingsOfEvent(db: Queryable, eventId: string, now: Date) {
  return db.selectFrom('marketplace_listings as l').innerJoin('tickets as t', 't.id', 'l.ticket_id')
    .innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .leftJoin('transactions as x', 'x.id', 'l.sold_transaction_id').leftJoin('payouts as p', 'p.listing_id', 'l.id')
    .select(['l.id', 'l.status', 'l.listing_price_minor', 'l.original_price_minor', 'l.currency', 'l.created_at', 'l.sold_at',
      'l.ended_at', 'l.end_reason', 'tt.name as type_name', 'x.commission_minor', 'x.status as payment_status',
      'p.organiser_fee_minor', 'p.amount_minor as payout_minor', 'p.status as payout_status',
      (eb) => eb.exists(eb.selectFrom('reservations as r').select('r.id').whereRef('r.listing_id', '=', 'l.id')
        .where('r.status', '=', 'held').where('r.expires_at', '>', now)).as('held')])
    .where('l.event_id', '=', eventId).orderBy('l.created_at', 'desc').limit(500).execute()
}

/** The event's resale totals: sales, money paid, commission, the organiser's fees, and payouts. */
export async function resaleTotalsOfEvent(db: Queryable, eventId: string) {
  const row = await db.selectFrom('marketplace_listings as l').innerJoin('transactions as x', 'x.id', 'l.sold_transaction_id')
    .leftJoin('payouts as p', 'p.listing_id', 'l.id')
    .select([
      sql<number>`count(*)`.as('sales'),
      sql<number>`coalesce(sum(x.amount_minor), 0)`.as('gross'),
      sql<number>`coalesce(sum(x.commission_minor), 0)`.as('commission'),
      sql<number>`coalesce(sum(p.organiser_fee_minor), 0)`.as('fees'),
      sql<number>`coalesce(sum(p.amount_minor), 0)`.as('payouts'),
    ])
    .where('l.event_id', '=', eventId).where('l.status', '=', 'sold').executeTakeFirstOrThrow()
  return { sales: Number(row.sales), gross: Number(row.gross), commission: Number(row.commission), fees: Number(row.fees), payouts: Number(row.payouts) }
}

/** What a payment's buyer has had back by selling its seats on: the sold listings it paid for, as the seller paid them. */
export async function resoldValueOf(db: Queryable, transactionId: string): Promise<number> {
  const row = await db.selectFrom('marketplace_listings').select(sql<string>`coalesce(sum(seller_paid_minor), 0)`.as('minor'))
    .where('seller_transaction_id', '=', transactionId).where('status', '=', 'sold').executeTakeFirstOrThrow()
  return Number(row.minor)
}
