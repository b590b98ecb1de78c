/**
 * What may be listed for resale, and at what price. The cap is the event's "resale price cap, % of the
 * original price" (100 is face value, 120 is +20%) of the price the ticket was first sold at, rounded down;
 * M-Pesa takes whole shillings, so a listing price is whole shillings too.
 */
import { DomainError } from '../lib/domain-errors.ts'
import { formatMoney } from '../i18n/format.ts'
import type { Lang } from '../i18n/index.ts'
import { normalizeKenyanPhone } from '../lib/phone.ts'

/** M-Pesa's most for one payment, KES 250,000. */
const MPESA_MAX_MINOR = 250_000_00

/** The highest price this ticket may be listed at. */
export function resaleCap(originalPriceMinor: number, capPct: number): number {
  return Math.floor(originalPriceMinor * capPct / 100)
}

/** A price the seller asked for, checked against the cap: 422 with the cap in words when it is above it. */
export function checkListingPrice(priceMinor: number, capMinor: number, currency: string, lang: Lang): number {
  if (!Number.isSafeInteger(priceMinor) || priceMinor <= 0 || priceMinor % 100 !== 0 || priceMinor > MPESA_MAX_MINOR) {
    throw new DomainError(422, 'invalid_price', 'resale.badPrice')
  }
  if (priceMinor > capMinor) {
    throw new DomainError(422, 'over_cap', 'resale.overCap', { cap: formatMoney(capMinor, currency, lang) })
  }
  return priceMinor
}

/** The payout number: the one given, else the seller's own (confirmed, or a guest's, who is known by it). */
export function payoutPhoneOf(given: string | undefined, seller: { phone: string | null; phone_verified_at: Date | null; is_guest: boolean }): string {
  if (given !== undefined && given.trim() !== '') {
    const phone = normalizeKenyanPhone(given)
    if (!phone) throw new DomainError(422, 'invalid_phone', 'resale.badPhone')
    return phone
  }
  if (seller.phone && (seller.phone_verified_at || seller.is_guest)) return seller.phone
  throw new DomainError(422, 'payout_phone_needed', 'resale.phoneNeeded')
}

export interface ListableTicket {
  status: string
  event_status: string
  allow_resale: boolean
  starts_at: Date
  /** A transfer in progress (its old QR is already dead). */
  transfer_pending: boolean | number | string
  listed: boolean | number | string
}

const yes = (value: boolean | number | string) => value === true || value === 1 || value === '1'

/** The event's settings and the ticket's state: a 409 naming the reason when it may not be listed. */
export function assertListable(ticket: ListableTicket, now: Date): void {
  if (ticket.status === 'used') throw new DomainError(409, 'ticket_used', 'resale.used')
  if (ticket.status !== 'active' || ticket.event_status === 'cancelled') throw new DomainError(409, 'ticket_not_active', 'resale.notActive')
  if (!ticket.allow_resale) throw new DomainError(409, 'resale_not_allowed', 'resale.notAllowed')
  if (now >= ticket.starts_at || (ticket.event_status !== 'published' && ticket.event_status !== 'ongoing')) {
    throw new DomainError(409, 'event_started', 'resale.eventStarted')
  }
  if (yes(ticket.transfer_pending)) throw new DomainError(409, 'transfer_pending', 'resale.transferPending')
  if (yes(ticket.listed)) throw new DomainError(409, 'already_listed', 'resale.alreadyListed')
}

/** What the seat cost its seller: a resale payment buys one ticket, all of it; a purchase paid the ticket's price. */
export function sellerPaidFor(ticket: { price_minor: number; paid_type: string | null; paid_amount_minor: number | null }): number {
  return ticket.paid_type === 'resale' && ticket.paid_amount_minor !== null ? ticket.paid_amount_minor : ticket.price_minor
}
