/**
 * JSON API of the resale marketplace. The owner (src/accounts/ticket-owner.ts: their session, an
 * account's or a guest's through their private link, or the bearer token of the reservation that bought
 * the ticket) lists a ticket and withdraws the listing; anyone reads an event's listings and holds one, which
 * answers a reservation with its bearer token: `POST /api/v1/reservations/{id}/payments` pays it (a
 * `resale` payment) and `GET /api/v1/reservations/{id}` shows the ticket with its new code once paid.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { actingOwner, OWNER_SECURITY, ticketOwnerAuth, withOwnerContext } from '../accounts/ticket-owner.ts'
import { apiNotFound } from '../http/api.ts'
import { apiRoutes, json, jsonBody, jsonError, uuidParam } from '../http/openapi.ts'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { maskPhone } from '../lib/phone.ts'
import { reservationSchema } from '../tickets/reservation-schemas.ts'
import { findSellerListing } from './listing-queries.ts'
import { createListing, holdListing, withdrawListing } from './listing-service.ts'
import { resaleOffersOf } from './resale-reads.ts'
import { findPublicEvent } from '../events/queries.ts'
import { holdClientKey, holdLimits } from '../tickets/hold-limits.ts'

export const resaleApiRoutes = apiRoutes({ json: { status: 422, code: 'invalid_request', key: 'resale.badPrice' } })
resaleApiRoutes.use('/api/v1/tickets/:id/listings', ticketOwnerAuth)
resaleApiRoutes.use('/api/v1/listings/:id', ticketOwnerAuth)

const listingSchema = z.object({
  id: z.uuid(),
  ticketId: z.uuid(),
  eventId: z.uuid(),
  status: z.enum(['active', 'sold', 'cancelled']),
  priceMinor: z.number().int(),
  capMinor: z.number().int().nullable().openapi({ description: 'The most this ticket may be listed for (the event’s cap of its original price)' }),
  currency: z.string(),
  payoutPhone: z.string().nullable().openapi({ description: 'Where the payout goes, masked (0712 ••• 678)' }),
  createdAt: z.string(),
}).openapi('Listing')

const offerSchema = z.object({
  id: z.uuid(),
  ticketTypeId: z.uuid(),
  ticketType: z.string(),
  priceMinor: z.number().int(),
  originalPriceMinor: z.number().int(),
  currency: z.string(),
  held: z.boolean().openapi({ description: 'A buyer holds it right now (try again when the hold ends)' }),
}).openapi('ListingOffer')

async function listingJson(c: Parameters<typeof withOwnerContext>[0], id: string, userId: string) {
  const row = await withOwnerContext(c, userId, (trx) => findSellerListing(trx, id, userId))
  return row && {
    id: row.id, ticketId: row.ticket_id, eventId: row.event_id, status: row.status, priceMinor: row.listing_price_minor,
    capMinor: row.max_price_minor, currency: row.currency, payoutPhone: row.payout_phone ? maskPhone(row.payout_phone) : null,
    createdAt: row.created_at.toISOString(),
  }
}

const createRouteDef = createRoute({
  method: 'post', path: '/api/v1/tickets/{id}/listings', tags: ['resale'], security: OWNER_SECURITY,
  summary: 'List one of your tickets for resale at a price up to the event’s cap',
  description: 'The price is in minor units and whole shillings (`150000` is KES 1,500). The payout goes to `payoutPhone`, ' +
    'or by default to your confirmed phone. Until it sells the ticket’s QR still admits you; a scan ends the listing.',
  request: {
    params: z.object({ id: uuidParam('id') }),
    body: jsonBody(z.object({
      priceMinor: z.number().int().openapi({ example: 150000 }),
      payoutPhone: z.string().max(40).optional().openapi({ example: '0712345678' }),
    })),
  },
  responses: {
    201: json(listingSchema, 'Listed (`Location`)'),
    404: jsonError('No such ticket of yours (or not signed in)'),
    409: jsonError('The ticket may not be listed: used, cancelled, already listed, a transfer in progress, after the start, or resale off'),
    422: jsonError('Above the cap (`over_cap`: the message says the cap, e.g. “the most this ticket may be listed for is KES 1,200”), not whole shillings (`invalid_price`), ' +
      'a bad payout phone (`invalid_phone`), or none known (`payout_phone_needed`)'),
  },
})

resaleApiRoutes.openapi(createRouteDef, async (c) => {
  const body = c.req.valid('json')
  const ticketId = c.req.valid('param').id
  const userId = await actingOwner(c, 'ticket', ticketId)
  const id = await createListing(c.var.db, {
    ticketId, userId, priceMinor: body.priceMinor, payoutPhone: body.payoutPhone, lang: c.var.lang, now: c.var.now,
  })
  c.header('Location', `/api/v1/listings/${id}`)
  const listing = await listingJson(c, id, userId)
  return listing ? c.json(listing, 201) : apiNotFound(c)
})

const deleteRoute = createRoute({
  method: 'delete', path: '/api/v1/listings/{id}', tags: ['resale'], security: OWNER_SECURITY,
  summary: 'Withdraw your listing (not while a buyer holds it)',
  request: { params: z.object({ id: uuidParam('id') }) },
  responses: {
    200: json(listingSchema, 'Withdrawn: the ticket is yours as before'),
    404: jsonError('No such listing of yours'),
    409: jsonError('Held by a buyer right now (`listing_held`), sold (`listing_sold`) or already ended (`listing_ended`)'),
  },
})

resaleApiRoutes.openapi(deleteRoute, async (c) => {
  const id = c.req.valid('param').id
  const userId = await actingOwner(c, 'listing', id)
  await withdrawListing(c.var.db, { listingId: id, userId, now: c.var.now })
  const listing = await listingJson(c, id, userId)
  return listing ? c.json(listing, 200) : apiNotFound(c)
})

const offersRoute = createRoute({
  method: 'get', path: '/api/v1/events/{id}/listings', tags: ['resale'],
  summary: 'An event’s resale tickets on offer, cheapest first',
  request: { params: z.object({ id: uuidParam('id') }) },
  responses: {
    200: json(z.object({ listings: z.array(offerSchema) }), 'On offer (empty when resale is off)'),
    404: jsonError('No such published event'),
  },
})

resaleApiRoutes.openapi(offersRoute, async (c) => {
  const event = await withContext(c.var.db, ANONYMOUS, (trx) => findPublicEvent(trx, { id: c.req.valid('param').id }))
  if (!event) return apiNotFound(c)
  const offers = event.allow_resale ? await resaleOffersOf(c.var.db, event.id, c.var.now) : []
  return c.json({
    listings: offers.map((offer) => ({
      id: offer.id, ticketTypeId: offer.ticket_type_id, ticketType: offer.type_name, priceMinor: offer.listing_price_minor,
      originalPriceMinor: offer.original_price_minor, currency: offer.currency, held: offer.held === true || Number(offer.held) === 1,
    })),
  }, 200)
})

const purchaseRoute = createRoute({
  method: 'post', path: '/api/v1/listings/{id}/purchase', tags: ['resale'],
  summary: 'Hold a resale ticket to pay for it: answers a reservation with its token',
  description: 'The hold lasts the event’s hold minutes, one buyer at a time. Pay it with `POST /api/v1/reservations/{id}/payments` ' +
    '(an STK Push of the listing price, a `resale` payment); once paid, `GET /api/v1/reservations/{id}` shows the ticket with its new ' +
    'code, and the seller’s code no longer admits. A payment that comes when the ticket is gone (sold to another, withdrawn, scanned in) is refunded.',
  request: { params: z.object({ id: uuidParam('id') }) },
  responses: {
    201: json(reservationSchema, 'Held, with the token that pays and follows it (`Location`)'),
    404: jsonError('No such listing'),
    429: jsonError('The caller already has as many open holds of this event as one client may (`too_many_holds`, `HOLDS_PER_CLIENT`)'),
    409: jsonError('Held by another buyer (`listing_held`), sold (`listing_sold`), ended (`listing_ended`), your own (`own_listing`), or the event no longer sells (`not_on_sale`)'),
  },
})

resaleApiRoutes.openapi(purchaseRoute, async (c) => {
  const hold = await holdListing(c.var.db, {
    listingId: c.req.valid('param').id, userId: c.var.user?.id ?? null, now: c.var.now,
    clientKey: await holdClientKey(c), maxOpenHolds: holdLimits(c.var.config).perClient,
  })
  c.header('Location', `/api/v1/reservations/${hold.id}`)
  return c.json(hold, 201)
})

