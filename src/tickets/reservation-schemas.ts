/**
 * What a buyer may ask to hold, once for both ways of asking: the event page's hold form
 * (`qty_<ticketTypeId>` fields) and the JSON API (`items: [{ticketTypeId, quantity}]`). Also the
 * reservation the API answers with.
 */
import { z } from '@hono/zod-openapi'

/** The most of one ticket type in one hold (the event's own per-order maximum may be lower). */
export const MAX_QUANTITY = 50
/** The most ticket types in one hold. */
export const MAX_ITEMS = 10

export const reservationItemSchema = z.object({
  ticketTypeId: z.uuid(),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
}).strict().openapi('ReservationItemRequest')

/** One to ten ticket types, each once, each with a whole quantity from 1 to 50. */
export const reservationItemsSchema = z.array(reservationItemSchema).min(1).max(MAX_ITEMS)
  .refine((items) => new Set(items.map((item) => item.ticketTypeId)).size === items.length, 'each ticket type once')

/** The body of POST /api/v1/events/{eventId}/reservations. */
export const reservationRequestSchema = z.object({ items: reservationItemsSchema }).strict().openapi('ReservationRequest')

const QTY_FIELD = /^qty_([0-9a-f-]{36})$/

/**
 * The hold form's quantities as the same items: a type left empty or at 0 is not chosen; a quantity that
 * is not a whole number of at most two digits fails, as does choosing nothing.
 */
export const holdFormSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]))
  .transform((values) => {
    const items: Array<{ ticketTypeId: string; quantity: number }> = []
    for (const [name, value] of Object.entries(values)) {
      const ticketTypeId = QTY_FIELD.exec(name)?.[1]
      const text = (Array.isArray(value) ? value[0] : value)?.trim()
      if (!ticketTypeId || !text || text === '0') continue
      items.push({ ticketTypeId, quantity: /^\d{1,2}$/.test(text) ? Number(text) : Number.NaN })
    }
    return items
  })
  .pipe(reservationItemsSchema)

const dateTime = z.string().openapi({ format: 'date-time' })

export const reservationSchema = z.object({
  id: z.uuid(), eventId: z.uuid(),
  status: z.enum(['held', 'paid', 'expired', 'cancelled']),
  expiresAt: dateTime.openapi({ description: 'The hold ends here; its tickets are free again at once.' }),
  items: z.array(z.object({
    ticketTypeId: z.uuid(), name: z.string(), quantity: z.number().int(),
    unitPriceMinor: z.number().int(), subtotalMinor: z.number().int(),
  })),
  total: z.object({ amountMinor: z.number().int(), currency: z.string().openapi({ example: 'KES' }) }),
  token: z.string().optional().openapi({
    description: 'In the answer that created the reservation, and in a replay of its Idempotency-Key: send it as `Authorization: Bearer …`.',
  }),
  tickets: z.array(z.object({
    id: z.uuid(), ticketTypeId: z.uuid(), status: z.string(), qrVersion: z.number().int(),
    code: z.string().nullable().openapi({ description: 'The signed code the ticket QR shows (Ed25519, verifiable offline); null while none is live, or once the ticket was transferred to someone else.' }),
  })).optional().openapi({ description: 'Once paid.' }),
}).openapi('Reservation')
