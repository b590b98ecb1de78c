/** JSON API: upcoming events and one event with its ticket types and live availability. */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import type { Event } from '../db/schema.ts'
import { apiNotFound } from '../http/api.ts'
import type { AppEnv } from '../http/app-env.ts'
import { apiRoutes, json, jsonError, uuidParam } from '../http/openapi.ts'
import { requirePublicOrigin } from '../http/public-origin.ts'
import { eventDetailSchema, eventListQuery, eventListSchema } from './api-schemas.ts'
import { salesState } from './availability.ts'
import { findPublicEvent, listTicketTypesOfEvent, listUpcomingEvents, type EventSummary, type PublicTicketType } from './queries.ts'

export const eventApiRoutes = apiRoutes()

function summaryJson(c: Context<AppEnv>, event: EventSummary) {
  return {
    id: event.id, slug: event.slug, title: event.title, status: event.status,
    startsAt: event.starts_at.toISOString(), endsAt: event.ends_at?.toISOString() ?? null,
    venue: { name: event.venue_name, city: event.venue_city }, organiser: event.organiser,
    currency: event.currency, minPriceMinor: event.min_price_minor, available: event.available,
    url: new URL(`/events/${event.slug}`, requirePublicOrigin(c)).toString(),
  }
}

function ticketTypeJson(type: PublicTicketType, now: Date) {
  return {
    id: type.id, name: type.name, description: type.description, priceMinor: type.price_minor, currency: type.currency,
    capacity: type.capacity, available: type.available, maxPerOrder: type.max_per_order,
    salesStart: type.sales_start?.toISOString() ?? null, salesEnd: type.sales_end?.toISOString() ?? null,
    salesState: salesState(type, now),
  }
}

function eventJson(c: Context<AppEnv>, event: Event & { organiser: string }, types: PublicTicketType[]) {
  return {
    id: event.id, slug: event.slug, title: event.title, description: event.description, status: event.status,
    startsAt: event.starts_at.toISOString(), endsAt: event.ends_at?.toISOString() ?? null,
    venue: {
      name: event.venue_name, address: event.venue_address, city: event.venue_city,
      latitude: event.venue_latitude, longitude: event.venue_longitude,
    },
    organiser: event.organiser, currency: event.currency, totalCapacity: event.total_capacity,
    posterUrls: event.poster_urls.map((path) => new URL(path, requirePublicOrigin(c)).toString()),
    termsAndConditions: event.terms_and_conditions,
    transfers: { allowed: event.allow_transfers, maxPerTicket: event.max_transfers, feeMinor: event.transfer_fee_minor },
    resale: { allowed: event.allow_resale, priceCapPercent: event.resale_price_cap_pct },
    ticketTypes: types.map((type) => ticketTypeJson(type, c.var.now)),
  }
}

const listEvents = createRoute({
  method: 'get', path: '/api/v1/events', tags: ['events'],
  summary: 'Upcoming published events, soonest first',
  request: { query: eventListQuery },
  responses: {
    200: json(eventListSchema, 'Events'),
    422: jsonError('Invalid query (`invalid_request`, with the fields at fault)'),
  },
})

eventApiRoutes.openapi(listEvents, async (c) => {
  const query = c.req.valid('query')
  const events = await withContext(c.var.db, ANONYMOUS, (trx) => listUpcomingEvents(trx, c.var.now, query))
  return c.json({ events: events.map((event) => summaryJson(c, event)), limit: query.limit, offset: query.offset }, 200)
})

const showEvent = createRoute({
  method: 'get', path: '/api/v1/events/{id}', tags: ['events'],
  summary: 'One event with its ticket types and live availability',
  request: { params: z.object({ id: uuidParam('id') }) },
  responses: {
    200: json(eventDetailSchema, 'The event'),
    404: jsonError('No such published event'),
  },
})

eventApiRoutes.openapi(showEvent, async (c) => {
  const { id } = c.req.valid('param')
  const found = await withContext(c.var.db, ANONYMOUS, async (trx) => {
    const event = await findPublicEvent(trx, { id })
    return event && { event, types: await listTicketTypesOfEvent(trx, event.id, c.var.now) }
  })
  if (!found) return apiNotFound(c)
  c.header('Cache-Control', 'no-cache')
  return c.json(eventJson(c, found.event, found.types), 200)
})
