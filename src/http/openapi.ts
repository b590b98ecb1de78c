/** The OpenAPI 3.1 description of /api/v1, served at /api/v1/openapi.json. Each feature adds its paths here. */
import { factory } from './factory.ts'

const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object', required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, fields: { type: 'object', additionalProperties: { type: 'string' } } },
    },
  },
}

const venue = {
  type: 'object',
  properties: {
    name: { type: 'string' }, address: { type: 'string' }, city: { type: 'string' },
    latitude: { type: ['number', 'null'] }, longitude: { type: ['number', 'null'] },
  },
}

const ticketType = {
  type: 'object',
  required: ['id', 'name', 'priceMinor', 'currency', 'available', 'salesState'],
  properties: {
    id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, description: { type: 'string' },
    priceMinor: { type: 'integer', description: 'Price in minor units (KES cents): 150000 is KES 1,500.' },
    currency: { type: 'string', example: 'KES' }, capacity: { type: 'integer' },
    available: { type: 'integer', description: 'Capacity minus sold and unexpired holds, right now.' },
    maxPerOrder: { type: 'integer' },
    salesStart: { type: ['string', 'null'], format: 'date-time' }, salesEnd: { type: ['string', 'null'], format: 'date-time' },
    salesState: { type: 'string', enum: ['on_sale', 'sold_out', 'not_started', 'ended'] },
  },
}

const eventSummary = {
  type: 'object',
  required: ['id', 'slug', 'title', 'startsAt', 'venue', 'available'],
  properties: {
    id: { type: 'string', format: 'uuid' }, slug: { type: 'string' }, title: { type: 'string' },
    status: { type: 'string', enum: ['published', 'ongoing'] },
    startsAt: { type: 'string', format: 'date-time' }, endsAt: { type: ['string', 'null'], format: 'date-time' },
    venue, organiser: { type: 'string' }, currency: { type: 'string' },
    minPriceMinor: { type: ['integer', 'null'] }, available: { type: 'integer' }, url: { type: 'string', format: 'uri' },
  },
}

const eventDetail = {
  type: 'object',
  required: ['id', 'title', 'startsAt', 'venue', 'ticketTypes'],
  properties: {
    ...eventSummary.properties,
    status: { type: 'string', enum: ['published', 'ongoing', 'completed', 'cancelled'] },
    description: { type: 'string' }, totalCapacity: { type: 'integer' },
    posterUrls: { type: 'array', items: { type: 'string', format: 'uri' } }, termsAndConditions: { type: 'string' },
    transfers: { type: 'object', properties: { allowed: { type: 'boolean' }, maxPerTicket: { type: 'integer' }, feeMinor: { type: 'integer' } } },
    resale: { type: 'object', properties: { allowed: { type: 'boolean' }, priceCapPercent: { type: 'integer' } } },
    ticketTypes: { type: 'array', items: ticketType },
  },
}

const reservation = {
  type: 'object',
  required: ['id', 'eventId', 'status', 'expiresAt', 'items', 'total'],
  properties: {
    id: { type: 'string', format: 'uuid' }, eventId: { type: 'string', format: 'uuid' },
    status: { type: 'string', enum: ['held', 'paid', 'expired', 'cancelled'] },
    expiresAt: { type: 'string', format: 'date-time', description: 'The hold ends here; its tickets are free again at once.' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          ticketTypeId: { type: 'string', format: 'uuid' }, name: { type: 'string' }, quantity: { type: 'integer' },
          unitPriceMinor: { type: 'integer' }, subtotalMinor: { type: 'integer' },
        },
      },
    },
    total: { type: 'object', properties: { amountMinor: { type: 'integer' }, currency: { type: 'string' } } },
    token: { type: 'string', description: 'Only in the answer that created the reservation: send it as `Authorization: Bearer …`.' },
    tickets: { type: 'array', description: 'Once paid.', items: { type: 'object', properties: { id: { type: 'string' }, ticketTypeId: { type: 'string' }, status: { type: 'string' }, qrVersion: { type: 'integer' }, code: { type: 'string', description: 'The signed code the ticket QR shows (Ed25519, verifiable offline).' } } } },
  },
}

const payment = {
  type: 'object',
  required: ['id', 'reservationId', 'status', 'amount', 'createdAt'],
  properties: {
    id: { type: 'string', format: 'uuid' }, reservationId: { type: 'string', format: 'uuid' },
    status: {
      type: 'string', enum: ['pending', 'completed', 'failed', 'refund_due', 'refund_requested', 'refunded'],
      description: 'pending while the prompt is on the phone; refund_* when the money arrived after the tickets were gone.',
    },
    amount: { type: 'object', properties: { amountMinor: { type: 'integer' }, currency: { type: 'string' } } },
    phone: { type: ['string', 'null'], description: 'The prompted phone, masked.' },
    resultCode: { type: ['integer', 'null'], description: 'M-Pesa’s result code once it ended.' },
    reason: {
      type: 'object', description: 'When failed or refunded: a stable code and a message for the buyer, in their language.',
      properties: {
        code: { type: 'string', enum: ['cancelled', 'wrong_pin', 'insufficient_funds', 'unreachable', 'expired', 'busy', 'limit', 'no_answer', 'push_refused', 'refund', 'failed'] },
        message: { type: 'string' },
      },
    },
    createdAt: { type: 'string', format: 'date-time' },
  },
}

const json = (schema: unknown) => ({ content: { 'application/json': { schema } } })

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Tikiti API', version: '1.0.0',
    description: 'Events, ticket types and live availability. Money is in integer minor units; times are ISO 8601 (UTC).',
  },
  servers: [{ url: '/' }],
  paths: {
    '/api/v1/events': {
      get: {
        summary: 'Upcoming published events, soonest first',
        parameters: [
          { name: 'q', in: 'query', schema: { type: 'string', maxLength: 100 }, description: 'Words of the title' },
          { name: 'city', in: 'query', schema: { type: 'string', maxLength: 80 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
          { name: 'offset', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 10000, default: 0 } },
        ],
        responses: {
          200: { description: 'Events', ...json({ type: 'object', properties: { events: { type: 'array', items: eventSummary }, limit: { type: 'integer' }, offset: { type: 'integer' } } }) },
          422: { description: 'Invalid query', ...json(error) },
        },
      },
    },
    '/api/v1/events/{id}': {
      get: {
        summary: 'One event with its ticket types and live availability',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: { description: 'The event', ...json(eventDetail) },
          404: { description: 'No such published event', ...json(error) },
        },
      },
    },
    '/api/v1/events/{eventId}/reservations': {
      post: {
        summary: 'Hold tickets for a while (the event sets how long) so the buyer can pay',
        parameters: [
          { name: 'eventId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
          { name: 'Idempotency-Key', in: 'header', schema: { type: 'string', minLength: 22, maxLength: 200, pattern: '^[A-Za-z0-9_-]{22,200}$' },
            description: 'A repeated request with the same key and body gets the same reservation and token (double taps, retries), ' +
              'answered 200. The key is a secret: a random value of at least 128 bits, 22 to 200 base64url characters, or at least ' +
              '32 if all are hexadecimal digits (e.g. 16 random bytes in hex); weaker keys are refused with 422. Keys are scoped to ' +
              'the caller (a signed-in user\'s keys replay only for that user) and last 24 hours.' },
        ],
        requestBody: {
          required: true,
          ...json({
            type: 'object', required: ['items'],
            properties: { items: { type: 'array', minItems: 1, maxItems: 10, items: { type: 'object', required: ['ticketTypeId', 'quantity'],
              properties: { ticketTypeId: { type: 'string', format: 'uuid' }, quantity: { type: 'integer', minimum: 1, maximum: 50 } } } } },
          }),
        },
        responses: {
          200: { description: 'A replay of an earlier request with the same Idempotency-Key', ...json(reservation) },
          201: { description: 'Held', ...json(reservation) },
          404: { description: 'No such event on sale', ...json(error) },
          409: { description: 'Sold out, sales closed or not open, or the event is not selling', ...json(error) },
          422: { description: 'Invalid request', ...json(error) },
          429: { description: 'The caller already has the most open holds allowed for this event', ...json(error) },
        },
      },
    },
    '/api/v1/reservations/{id}': {
      get: {
        summary: 'A reservation, with its tickets once paid',
        security: [{ reservationToken: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: { description: 'The reservation', ...json(reservation) },
          404: { description: 'Unknown, or not yours', ...json(error) },
        },
      },
    },
    '/api/v1/reservations/{id}/payments': {
      post: {
        summary: 'Pay a held reservation with M-Pesa: sends the STK prompt to the phone',
        description: 'Any common Kenyan form of the number (07…, 01…, +254…, 254…). While a prompt is pending the hold is kept, and asking again returns the same payment.',
        security: [{ reservationToken: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        requestBody: { required: true, ...json({ type: 'object', required: ['phone'], properties: { phone: { type: 'string', example: '0712345678' } } }) },
        responses: {
          202: { description: 'The prompt is on its way; follow the payment', ...json(payment) },
          404: { description: 'Unknown reservation, or not yours', ...json(error) },
          409: { description: 'The hold is over, already paid, or the organiser takes no M-Pesa yet', ...json(error) },
          422: { description: 'Not a Kenyan mobile number, or an invalid body', ...json(error) },
          429: { description: 'Too many failed payments from this phone or buyer; try later', ...json(error) },
          503: { description: 'M-Pesa did not accept the request; retry shortly', ...json(error) },
        },
      },
    },
    '/api/v1/payments/{id}': {
      get: {
        summary: 'A payment: pending, completed, or failed with the reason',
        security: [{ reservationToken: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          200: { description: 'The payment', ...json(payment) },
          404: { description: 'Unknown, or not yours', ...json(error) },
        },
      },
    },
  },
  components: {
    securitySchemes: { reservationToken: { type: 'http', scheme: 'bearer', description: 'The token a reservation was created with.' } },
  },
} as const

export const openApiRoutes = factory.createApp()
openApiRoutes.get('/api/v1/openapi.json', (c) => c.json(openApiDocument))
