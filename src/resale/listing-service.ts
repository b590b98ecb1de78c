/**
 * Listing a ticket for resale, withdrawing it, and a buyer's hold on it. Every step locks the ticket
 * first, then the listing (the order the gate's admission takes them in), so a scan, a withdrawal and a
 * purchase racing on one ticket end one way only. A listing is held while a reservation naming it is held
 * and unexpired: one buyer at a time, and the hold ends at its time without any job.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { Lang } from '../i18n/index.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { refuseTooManyClientHolds } from '../tickets/hold-limits.ts'
import type { ReservationJson } from '../tickets/reservations.ts'
import {
  contactOfUser, endListing, liveHoldOf, lockListing, lockTicket, lockTicketForListing, ticketOfListing,
} from './listing-queries.ts'
import { assertListable, checkListingPrice, payoutPhoneOf, resaleCap, sellerPaidFor } from './listing-rules.ts'

export interface ListingRequest {
  ticketId: string
  userId: string
  priceMinor: number
  /** The M-Pesa number for the payout; by default the seller's own. */
  payoutPhone?: string
  lang: Lang
  now: Date
}

/** Lists the owner's ticket (404 for anyone else). Returns the listing id. */
export function createListing(db: Database, request: ListingRequest): Promise<string> {
  return withContext(db, SYSTEM, async (trx) => {
    const ticket = await lockTicketForListing(trx, request.ticketId)
    if (!ticket || ticket.user_id !== request.userId) throw new NotFoundError()
    assertListable(ticket, request.now)
    const cap = resaleCap(ticket.price_minor, ticket.resale_price_cap_pct)
    const price = checkListingPrice(request.priceMinor, cap, ticket.currency, request.lang)
    const seller = await contactOfUser(trx, request.userId)
    if (!seller) throw new NotFoundError()
    const phone = payoutPhoneOf(request.payoutPhone, seller)
    const listing = await trx.insertInto('marketplace_listings').values({
      tenant_id: ticket.tenant_id, ticket_id: ticket.id, event_id: ticket.event_id, seller_id: request.userId,
      original_price_minor: ticket.price_minor, listing_price_minor: price, max_price_minor: cap, currency: ticket.currency,
      status: 'active', payout_phone: phone, lang: request.lang, created_at: request.now,
      seller_transaction_id: ticket.transaction_id, seller_paid_minor: sellerPaidFor(ticket),
    }).returning('id').executeTakeFirstOrThrow()
    return listing.id
  })
}

/** The seller takes their listing back, unless a buyer holds it right now. */
export function withdrawListing(db: Database, input: { listingId: string; userId: string; now: Date }): Promise<void> {
  return withContext(db, SYSTEM, async (trx) => {
    const found = await ticketOfListing(trx, input.listingId)
    if (!found) throw new NotFoundError()
    await lockTicket(trx, found.ticket_id)
    const listing = await lockListing(trx, input.listingId)
    if (!listing || listing.seller_id !== input.userId) throw new NotFoundError()
    if (listing.status === 'sold') throw new DomainError(409, 'listing_sold', 'resale.sold')
    if (listing.status !== 'active') throw new DomainError(409, 'listing_ended', 'resale.ended')
    if (await liveHoldOf(trx, listing.id, input.now)) throw new DomainError(409, 'listing_held', 'resale.heldWithdraw')
    await endListing(trx, listing.id, 'withdrawn', input.now)
  })
}

/**
 * A buyer's hold on a listing: a reservation of the listing's price for the event's hold minutes, with a
 * bearer token, paid through the ordinary checkout (it becomes a `resale` payment).
 */
export function holdListing(db: Database, input: {
  listingId: string; userId: string | null; now: Date
  /** Who asks (hold-limits.ts holdClientKey): their open holds of the event, of tickets and listings alike, are capped at `maxOpenHolds`. */
  clientKey?: string; maxOpenHolds?: number
}): Promise<ReservationJson> {
  const token = randomToken(32)
  return withContext(db, SYSTEM, async (trx) => {
    const found = await ticketOfListing(trx, input.listingId)
    if (!found) throw new NotFoundError()
    const ticket = await lockTicket(trx, found.ticket_id)
    const listing = await lockListing(trx, input.listingId)
    if (!listing || !ticket) throw new NotFoundError()
    if (listing.status === 'sold') throw new DomainError(409, 'listing_sold', 'resale.sold')
    if (listing.status !== 'active') throw new DomainError(409, 'listing_ended', 'resale.ended')
    const event = await trx.selectFrom('events').select(['status', 'hold_minutes', 'ends_at', 'starts_at'])
      .where('id', '=', listing.event_id).executeTakeFirstOrThrow()
    if ((event.status !== 'published' && event.status !== 'ongoing') || (event.ends_at && event.ends_at <= input.now)) {
      throw new DomainError(409, 'not_on_sale', 'resale.notOnSale')
    }
    if (input.userId && input.userId === listing.seller_id) throw new DomainError(409, 'own_listing', 'resale.own')
    // the ticket was cancelled or admitted meanwhile (refund, scan): the listing is over
    if (ticket.status !== 'active' || ticket.user_id !== listing.seller_id) {
      await endListing(trx, listing.id, 'ticket_gone', input.now)
      throw new DomainError(409, 'listing_ended', 'resale.ended')
    }
    if (await liveHoldOf(trx, listing.id, input.now)) throw new DomainError(409, 'listing_held', 'resale.held')
    await refuseTooManyClientHolds(trx, listing.event_id, input.clientKey, input.maxOpenHolds ?? 0, input.now)
    const type = await trx.selectFrom('ticket_types').select(['id', 'name']).where('id', '=', ticket.ticket_type_id).executeTakeFirstOrThrow()
    const item = { ticketTypeId: type.id, name: type.name, quantity: 1, unitPriceMinor: listing.listing_price_minor, subtotalMinor: listing.listing_price_minor }
    const reservation = await trx.insertInto('reservations').values({
      tenant_id: listing.tenant_id, event_id: listing.event_id, user_id: input.userId, status: 'held',
      expires_at: new Date(input.now.getTime() + event.hold_minutes * 60_000), access_token_hash: await sha256Hex(token),
      total_minor: listing.listing_price_minor, currency: listing.currency, items: [item], listing_id: listing.id,
      client_key: input.clientKey ?? null, created_at: input.now, updated_at: input.now,
    }).returningAll().executeTakeFirstOrThrow()
    return {
      id: reservation.id, eventId: reservation.event_id, status: 'held', expiresAt: reservation.expires_at.toISOString(),
      items: [item], total: { amountMinor: reservation.total_minor, currency: reservation.currency }, token, tickets: [],
    }
  })
}
