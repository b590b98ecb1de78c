/** JSON API: upcoming events and one event with its ticket types and live availability. */
import type { Context } from 'hono'
import { z } from 'zod'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import type { Event } from '../db/schema.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { cleanText } from '../http/text.ts'
import { salesState } from './availability.ts'
import { findPublicEvent, listTicketTypesOfEvent, listUpcomingEvents, type EventSummary, type PublicTicketType } from './queries.ts'

export const eventApiRoutes = factory.createApp()

const listQuery = z.object({
  q: z.string().transform(cleanText).pipe(z.string().trim().max(100)).optional(),
  city: z.string().transform(cleanText).pipe(z.string().trim().max(80)).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(10_000).default(0),
})

function invalid(c: Context<AppEnv>, error: z.ZodError) {
  return c.json({
    error: {
      code: 'invalid_request',
      message: c.var.t('api.badRequest'),
      fields: Object.fromEntries(error.issues.map((issue) => [String(issue.path[0] ?? ''), issue.message])),
    },
  }, 422)
}

function notFound(c: Context<AppEnv>) {
  return c.json({ error: { code: 'not_found', message: c.var.t('api.notFound') } }, 404)
}

function summaryJson(c: Context<AppEnv>, event: EventSummary) {
  return {
    id: event.id, slug: event.slug, title: event.title, status: event.status,
    startsAt: event.starts_at.toISOString(), endsAt: event.ends_at?.toISOString() ?? null,
    venue: { name: event.venue_name, city: event.venue_city }, organiser: event.organiser,
    currency: event.currency, minPriceMinor: event.min_price_minor, available: event.available,
    url: new URL(`/events/${event.slug}`, c.req.url).toString(),
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
    posterUrls: event.poster_urls.map((path) => new URL(path, c.req.url).toString()),
    termsAndConditions: event.terms_and_conditions,
    transfers: { allowed: event.allow_transfers, maxPerTicket: event.max_transfers, feeMinor: event.transfer_fee_minor },
    resale: { allowed: event.allow_resale, priceCapPercent: event.resale_price_cap_pct },
    ticketTypes: types.map((type) => ticketTypeJson(type, c.var.now)),
  }
}

eventApiRoutes.get('/api/v1/events', async (c) => {
  const query = listQuery.safeParse(c.req.query())
  if (!query.success) return invalid(c, query.error)
  const events = await withContext(c.var.db, ANONYMOUS, (trx) => listUpcomingEvents(trx, c.var.now, query.data))
  return c.json({ events: events.map((event) => summaryJson(c, event)), limit: query.data.limit, offset: query.data.offset })
})

eventApiRoutes.get('/api/v1/events/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) return notFound(c)
  const found = await withContext(c.var.db, ANONYMOUS, async (trx) => {
    const event = await findPublicEvent(trx, { id: id.data })
    return event && { event, types: await listTicketTypesOfEvent(trx, event.id, c.var.now) }
  })
  if (!found) return notFound(c)
  c.header('Cache-Control', 'no-cache')
  return c.json(eventJson(c, found.event, found.types))
})
