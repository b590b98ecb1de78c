/** The JSON shapes of the events API: its query, and the events and ticket types it answers with. */
import { z } from '@hono/zod-openapi'
import { cleanText } from '../http/text.ts'

const dateTime = z.string().openapi({ format: 'date-time' })

/** A free-text filter: control characters dropped, trimmed, at most `max` characters. */
const filterText = (max: number, description: string) =>
  z.string().transform(cleanText).pipe(z.string().trim().max(max)).optional().openapi({ type: 'string', maxLength: max, description })

export const eventListQuery = z.object({
  q: filterText(100, 'Words of the title'),
  city: filterText(80, 'The venue’s city'),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer', minimum: 1, maximum: 100, default: 20 }),
  offset: z.coerce.number().int().min(0).max(10_000).default(0).openapi({ type: 'integer', minimum: 0, maximum: 10_000, default: 0 }),
})

const venueSummary = z.object({ name: z.string(), city: z.string() })

export const eventSummarySchema = z.object({
  id: z.uuid(), slug: z.string(), title: z.string(),
  status: z.string().openapi({ enum: ['published', 'ongoing'] }),
  startsAt: dateTime, endsAt: dateTime.nullable(),
  venue: venueSummary, organiser: z.string(), currency: z.string().openapi({ example: 'KES' }),
  minPriceMinor: z.number().int().nullable().openapi({ description: 'The cheapest ticket type, in minor units.' }),
  available: z.number().int().openapi({ description: 'Tickets left across the event’s types, right now.' }),
  url: z.url().openapi({ description: 'The event’s page for buyers.' }),
}).openapi('EventSummary')

export const eventListSchema = z.object({
  events: z.array(eventSummarySchema), limit: z.number().int(), offset: z.number().int(),
}).openapi('EventList')

export const ticketTypeSchema = z.object({
  id: z.uuid(), name: z.string(), description: z.string(),
  priceMinor: z.number().int().openapi({ description: 'Price in minor units (KES cents): 150000 is KES 1,500.' }),
  currency: z.string().openapi({ example: 'KES' }), capacity: z.number().int(),
  available: z.number().int().openapi({ description: 'Capacity minus sold and unexpired holds, right now.' }),
  maxPerOrder: z.number().int(),
  salesStart: dateTime.nullable(), salesEnd: dateTime.nullable(),
  salesState: z.enum(['on_sale', 'sold_out', 'not_started', 'ended']),
}).openapi('TicketType')

export const eventDetailSchema = z.object({
  id: z.uuid(), slug: z.string(), title: z.string(), description: z.string(),
  status: z.string().openapi({ enum: ['published', 'ongoing', 'completed', 'cancelled'] }),
  startsAt: dateTime, endsAt: dateTime.nullable(),
  venue: z.object({
    name: z.string(), address: z.string(), city: z.string(),
    latitude: z.number().nullable(), longitude: z.number().nullable(),
  }),
  organiser: z.string(), currency: z.string(), totalCapacity: z.number().int(),
  posterUrls: z.array(z.url()), termsAndConditions: z.string(),
  transfers: z.object({ allowed: z.boolean(), maxPerTicket: z.number().int(), feeMinor: z.number().int() }),
  resale: z.object({ allowed: z.boolean(), priceCapPercent: z.number().int() }),
  ticketTypes: z.array(ticketTypeSchema),
}).openapi('EventDetail')
