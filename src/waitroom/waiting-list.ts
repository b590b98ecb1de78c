/**
 * The waiting list of a sold-out ticket type (as pretix and Hi.Events have): a buyer leaves a phone or an
 * email; when tickets come back (expired holds, refunds, cancellations: whatever makes them available
 * again) the next people on the list are offered them for OFFER_MS through the outbox. The offer's link
 * gives the browser that opens it an admission to hold for the rest of the offer window.
 *
 * One hook: the hold-expiry sweep (src/jobs/expire-holds.ts) calls offerReturnedTickets every minute. It
 * looks at availability itself, not at what made tickets come back, so every way back is covered.
 */
import type { Database } from '../db/database.ts'
import { ANONYMOUS, SYSTEM, withContext } from '../db/request-context.ts'
import { formatDateTime } from '../i18n/format.ts'
import { constantTimeEqualText, randomToken, sha256Hex } from '../lib/crypto.ts'
import { DomainError } from '../lib/domain-errors.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import {
  findOffer, insertWaitingListEntry, lapseOffers, markClaimed, markOffered, nextWaiting, typesWithWaiters,
  type NewWaitingListEntry, type OfferRow,
} from './waiting-list-queries.ts'

/** How long an offer stands. */
export const OFFER_MS = 30 * 60_000

/** Puts a person on a sold-out type's list (once per email or phone). */
export async function joinWaitingList(db: Database, entry: NewWaitingListEntry, now: Date): Promise<void> {
  await withContext(db, ANONYMOUS, (trx) => insertWaitingListEntry(trx, entry, now))
}

/** Lapses offers that ran out and offers what came back to the next people; returns how many were offered. */
export async function offerReturnedTickets(db: Database, now: Date, ring?: KeyRing): Promise<number> {
  return withContext(db, SYSTEM, async (trx) => {
    await lapseOffers(trx, now)
    let offered = 0
    for (const type of await typesWithWaiters(trx, now)) {
      const free = type.available - type.offered
      if (free <= 0) continue
      for (const person of await nextWaiting(trx, type.id, free)) {
        const token = randomToken(32)
        const until = new Date(now.getTime() + OFFER_MS)
        await markOffered(trx, person.id, await sha256Hex(token), until, now)
        const lang = person.lang
        await enqueueNotification(trx, {
          type: 'waiting_list_offer', channel: person.email ? 'email' : 'whatsapp', email: person.email, phone: person.phone,
          tenantId: type.tenant_id, userId: null, eventId: type.event_id, lang, now, ring,
          data: { eventTitle: type.title, ticketType: type.name, offerUntil: formatDateTime(until, lang) },
          secrets: { offerLink: `${person.origin}/waiting-list/${person.id}/${token}` },
          dedupeKey: `waiting-list-offer:${person.id}:${until.getTime()}`,
        })
        offered++
      }
    }
    return offered
  })
}

const OFFER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The offer behind a link, if the link's secret matches it; else 404 (a wrong secret looks like no offer). */
export async function offerOfLink(db: Database, id: string, token: string): Promise<OfferRow> {
  if (!OFFER_ID.test(id) || !/^[A-Za-z0-9_-]{43}$/.test(token)) throw new DomainError(404, 'not_found', 'api.notFound')
  const offer = await withContext(db, SYSTEM, (trx) => findOffer(trx, id))
  if (!offer?.offer_token_hash || !constantTimeEqualText(offer.offer_token_hash, await sha256Hex(token))) {
    throw new DomainError(404, 'not_found', 'api.notFound')
  }
  return offer
}

/** Whether the offer still stands at `now`. */
export function offerStands(offer: OfferRow, now: Date): boolean {
  return offer.status === 'offered' && offer.offered_until !== null && offer.offered_until > now
}

/** Takes the offer up (once); 410 when it ran out or was taken already. */
export async function claimOffer(db: Database, offer: OfferRow, now: Date): Promise<Date> {
  const claimed = await withContext(db, SYSTEM, (trx) => markClaimed(trx, offer.id, now))
  if (!claimed) throw new DomainError(410, 'offer_gone', 'waitlist.offer.gone')
  return offer.offered_until!
}
