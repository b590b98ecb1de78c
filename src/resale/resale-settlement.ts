/**
 * A resale payment that arrived, settled inside the payment's own database transaction (payment-results.ts
 * dispatches `resale` payments here). In this one transaction the ticket moves to the buyer with a new QR
 * version (the seller's code is refused from then on: `transferred`/`old_version` at the gate), the listing
 * is sold, the hold is paid and one payout row is written for the seller:
 *
 *   payout = price − commission (the tenant's rate, on the payment) − organiser fee (resale_fee_pct of the price, rounded),
 *   rounded down to whole shillings (M-Pesa B2C sends no cents); the cents left over go to the organiser's fee
 *
 * so what the buyer paid = commission + organiser's fee + payout (invariant 9). When the listing can no longer
 * be had (sold to another buyer, withdrawn, the ticket scanned in or cancelled, another buyer holding it now,
 * the event cancelled) the money has nothing to buy, and the caller refunds it.
 */
import type { Queryable } from '../db/database.ts'
import type { TransactionRow } from '../db/schema.ts'
import { formatMoney } from '../i18n/format.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import { guestFor } from '../payments/guest-buyers.ts'
import { nextTicketCode } from '../tickets/issuing.ts'
import { contactOfUser, endListing, liveHoldOf, lockListing, lockTicket } from './listing-queries.ts'

export type ResaleSettlement =
  /** Sold to this buyer now. */
  | { kind: 'sold'; buyerId: string }
  /** This very payment bought it already (a repeated result): nothing more to do. */
  | { kind: 'already' }
  /** Nothing to buy: the payment goes back. */
  | { kind: 'gone'; reason: 'tickets_gone' | 'duplicate_payment' | 'event_cancelled' }

/** The organiser's resale fee on a price, rounded to the nearest minor unit. */
export function organiserFee(priceMinor: number, feePct: number): number {
  return Math.round(priceMinor * feePct / 100)
}

/** The organiser's fee and the seller's payout of a resale price, the payout in whole shillings. */
export function resaleSplit(priceMinor: number, commissionMinor: number, feePct: number): { fee: number; payout: number } {
  const owed = priceMinor - commissionMinor - organiserFee(priceMinor, feePct)
  const payout = Math.max(0, Math.floor(owed / 100) * 100)
  return { fee: priceMinor - commissionMinor - payout, payout }
}

/** Settles a received resale payment whose row the caller has locked. */
export async function settleResalePayment(trx: Queryable, ring: KeyRing | undefined, payment: TransactionRow, now: Date): Promise<ResaleSettlement> {
  const reservation = await trx.selectFrom('reservations').select(['id', 'status', 'user_id', 'listing_id'])
    .where('id', '=', payment.reservation_id!).forUpdate().executeTakeFirstOrThrow()
  const listingId = reservation.listing_id
  if (!listingId) return { kind: 'gone', reason: 'tickets_gone' }
  const ticketId = (await trx.selectFrom('marketplace_listings').select('ticket_id').where('id', '=', listingId).executeTakeFirstOrThrow()).ticket_id
  // the ticket first, then the listing: the order the gate's admission locks them in
  const ticket = await lockTicket(trx, ticketId)
  const listing = await lockListing(trx, listingId)
  if (!ticket || !listing) return { kind: 'gone', reason: 'tickets_gone' }
  if (listing.sold_transaction_id === payment.id) return { kind: 'already' }
  const gone = async (reason: 'tickets_gone' | 'duplicate_payment' | 'event_cancelled') => {
    await trx.updateTable('reservations').set({ status: 'expired', updated_at: now }).where('id', '=', reservation.id)
      .where('status', '=', 'held').execute()
    return { kind: 'gone' as const, reason }
  }
  if (reservation.status === 'paid') return gone('duplicate_payment')
  const event = await trx.selectFrom('events').select(['status', 'title', 'resale_fee_pct']).where('id', '=', listing.event_id).executeTakeFirstOrThrow()
  if (event.status === 'cancelled') return gone('event_cancelled')
  if (listing.status !== 'active') return gone('tickets_gone')
  if (ticket.status !== 'active' || ticket.user_id !== listing.seller_id) {
    await endListing(trx, listing.id, 'ticket_gone', now)
    return gone('tickets_gone')
  }
  // this buyer's hold lapsed and another buyer holds the listing now: theirs is the turn
  if (await liveHoldOf(trx, listing.id, now, reservation.id)) return gone('tickets_gone')

  const buyerId = reservation.user_id ?? payment.user_id ?? await guestFor(trx, payment.mpesa_phone!)
  const fresh = await nextTicketCode(trx, ring, ticket, now)
  await trx.updateTable('tickets').set({
    user_id: buyerId, qr_code: fresh.code, qr_version: fresh.qrVersion, reservation_id: reservation.id, transaction_id: payment.id, updated_at: now,
  }).where('id', '=', ticket.id).where('status', '=', 'active').execute()
  await trx.updateTable('marketplace_listings').set({ status: 'sold', sold_at: now, buyer_id: buyerId, sold_transaction_id: payment.id })
    .where('id', '=', listing.id).execute()
  await trx.updateTable('reservations').set({ status: 'paid', user_id: buyerId, updated_at: now }).where('id', '=', reservation.id).execute()
  await trx.updateTable('transactions').set({ ticket_id: ticket.id, user_id: payment.user_id ?? buyerId, updated_at: now })
    .where('id', '=', payment.id).execute()

  const { fee, payout } = resaleSplit(payment.amount_minor, payment.commission_minor, event.resale_fee_pct)
  if (payout > 0 && listing.payout_phone) {
    await trx.insertInto('payouts').values({
      tenant_id: listing.tenant_id, event_id: listing.event_id, transaction_id: payment.id, listing_id: listing.id,
      seller_id: listing.seller_id, phone: listing.payout_phone, amount_minor: payout, organiser_fee_minor: fee,
      currency: payment.currency, status: 'due', next_attempt_at: now, created_at: now, updated_at: now,
    }).execute()
  }
  await tellSeller(trx, ring, { listing, eventTitle: event.title, payoutMinor: Math.max(payout, 0), origin: payment.origin ?? '', now })
  return { kind: 'sold', buyerId }
}

async function tellSeller(trx: Queryable, ring: KeyRing | undefined, sale: {
  listing: { id: string; tenant_id: string; event_id: string; ticket_id: string; seller_id: string; listing_price_minor: number; currency: string; lang: 'en' | 'sw' }
  eventTitle: string; payoutMinor: number; origin: string; now: Date
}) {
  const seller = await contactOfUser(trx, sale.listing.seller_id)
  if (!seller) return
  const lang = sale.listing.lang
  const channel = seller.phone ? 'whatsapp' as const : 'email' as const
  await enqueueNotification(trx, {
    type: 'resale_sold', channel, phone: seller.phone, email: seller.email, tenantId: sale.listing.tenant_id, userId: seller.id,
    eventId: sale.listing.event_id, ticketId: sale.listing.ticket_id, lang, now: sale.now, ring,
    data: {
      buyerName: seller.name ?? '', eventTitle: sale.eventTitle, amount: formatMoney(sale.listing.listing_price_minor, sale.listing.currency, lang),
      payout: formatMoney(sale.payoutMinor, sale.listing.currency, lang), ticketsLink: `${sale.origin}/tickets`,
    },
    dedupeKey: `resale_sold:${sale.listing.id}`,
  })
}
