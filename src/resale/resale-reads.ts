/** What buyers, sellers and managers read of the marketplace (each in the context its rows need). */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { assertListable, resaleCap } from './listing-rules.ts'
import { heldAmong, listingsOnOffer, soldListingsOf } from './listing-queries.ts'

/** The listings of a published event on offer, with whether each is held now (holds are other buyers' rows: platform context, these columns only). */
export function resaleOffersOf(db: Database, eventId: string, now: Date, limit?: number) {
  return withContext(db, SYSTEM, (trx) => listingsOnOffer(trx, eventId, now, limit))
}

/** The seller's sold listings with their payouts' states. */
export function soldBy(db: Database, sellerId: string) {
  return withContext(db, SYSTEM, (trx) => soldListingsOf(trx, sellerId))
}

/** Which of these listings a buyer holds right now (for their seller's wallet). */
export async function heldListings(db: Database, listingIds: string[], now: Date): Promise<Set<string>> {
  if (listingIds.length === 0) return new Set()
  const rows = await withContext(db, SYSTEM, (trx) => heldAmong(trx, listingIds, now))
  return new Set(rows.map((row) => row.listing_id!))
}

/** What the seller's wallet shows of resale: which of their listings a buyer holds now, and what they sold. */
export async function resaleOfWallet(db: Database, sellerId: string, tickets: Array<{ listing_id: string | null }>, now: Date) {
  const listingIds = tickets.map((ticket) => ticket.listing_id).filter((id): id is string => id !== null)
  return { held: await heldListings(db, listingIds, now), sold: await soldBy(db, sellerId) }
}

/** The cap and the organiser's fee when the wallet may offer to list this ticket; undefined when it may not. */
export function listableOf(ticket: {
  status: string; event_status: string; allow_resale: boolean; starts_at: Date; pending_transfer_id: string | null; listing_id: string | null
  price_minor: number; resale_price_cap_pct: number; resale_fee_pct: number
}, now: Date): { capMinor: number; feePct: number } | undefined {
  try {
    assertListable({ ...ticket, transfer_pending: ticket.pending_transfer_id !== null, listed: ticket.listing_id !== null }, now)
  } catch (error) {
    if (error instanceof DomainError) return undefined
    throw error
  }
  return { capMinor: resaleCap(ticket.price_minor, ticket.resale_price_cap_pct), feePct: ticket.resale_fee_pct }
}
