/** JSON API for reservations: hold tickets, then follow the hold with its bearer token. */
import { createRoute, z } from '@hono/zod-openapi'
import { apiNotFound } from '../http/api.ts'
import { apiRoutes, json, jsonBody, jsonError, readWithReservationToken, uuidParam } from '../http/openapi.ts'
import { reservationRequestSchema, reservationSchema } from './reservation-schemas.ts'
import { holdClientKey, holdLimits } from './hold-limits.ts'
import { holdGroupCommit } from './hold-group-commit.ts'
import { IDEMPOTENCY_KEY_RULE } from './idempotency-key.ts'
import { createReservation, findReservation } from './reservations.ts'
import { holdGate } from '../waitroom/admission-check.ts'
import { throwForGate } from '../waitroom/refused.tsx'

export const reservationApiRoutes = apiRoutes({
  header: { status: 422, code: 'invalid_idempotency_key', key: 'reserve.invalidKey' },
  json: { status: 422, code: 'invalid_request', key: 'reserve.invalidItems' },
})

const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/).optional().openapi({
  description: 'Makes retries safe (double taps, lost answers): a repeated request with the same key and body gets ' +
    'the same reservation, answered 200 as it is now, and holds nothing more; the same key with another body is refused ' +
    '(`idempotency_key_reused`). Keys belong to the caller (a signed-in buyer’s keys replay for them alone), and the replay ' +
    'hands back the reservation’s token, so every caller’s key is a secret. ' + IDEMPOTENCY_KEY_RULE + ' A key that breaks ' +
    'the rule is refused with 422 `weak_idempotency_key`, one that is not 1 to 200 visible ASCII characters with 422 ' +
    '`invalid_idempotency_key`. (Header names are case-insensitive: send `Idempotency-Key`.)',
  example: 'c8Jq0yZ3vT1mX9pL4rW7sA',
})

const createReservationRoute = createRoute({
  method: 'post', path: '/api/v1/events/{eventId}/reservations', tags: ['reservations'],
  summary: 'Hold tickets for a while (the event sets how long) so the buyer can pay',
  request: {
    params: z.object({ eventId: uuidParam('eventId') }),
    headers: z.object({ 'idempotency-key': idempotencyKey }),
    body: jsonBody(reservationRequestSchema),
  },
  responses: {
    200: json(reservationSchema, 'A replay: this Idempotency-Key already made this reservation, which is answered as it is now ' +
      '(`status`, `expiresAt`, `tickets` once paid: what `GET /api/v1/reservations/{id}` answers), with its token'),
    201: json(reservationSchema, 'Held, with the token that follows the reservation (`Location`)'),
    403: jsonError('The waiting-room admission shown is not this browser’s, or was altered (`admission_refused`)'),
    404: jsonError('No such event on sale'),
    409: jsonError('The event’s waiting room runs and this caller has no admission yet (`waiting_room`; the queue’s page is in ' +
      '`Location`), sold out (`sold_out`), sales closed or not open (`sales_closed`, `sales_not_started`), or the event is not selling (`not_on_sale`)'),
    415: jsonError('The body is not JSON (`unsupported_media_type`)'),
    422: jsonError('Invalid items (`invalid_request`, `unknown_ticket_type`, `over_max_per_order`) or Idempotency-Key: not 1 to 200 ' +
      'visible characters (`invalid_idempotency_key`), not a random secret by the rule above (`weak_idempotency_key`), or already ' +
      'used with another body (`idempotency_key_reused`)'),
    429: jsonError('The caller already has as many open (unpaid, unexpired) holds for this event as one client may ' +
      '(`too_many_holds`; counted per signed-in user, else per address; the server’s `HOLDS_PER_CLIENT`, 5 by default): ' +
      'pay for one, release one or let one expire first. A replay of an Idempotency-Key is still answered'),
  },
})

reservationApiRoutes.openapi(createReservationRoute, async (c) => {
  // the waiting room, when the event's queue runs: only an admitted browser holds
  throwForGate(c, await holdGate(c, c.req.valid('param').eventId, c.req.valid('json').items))
  const result = await createReservation(c.var.db, {
    eventId: c.req.valid('param').eventId, items: c.req.valid('json').items, userId: c.var.user?.id ?? null,
    idempotencyKey: c.req.valid('header')['idempotency-key'], now: c.var.now,
    clientKey: await holdClientKey(c), maxOpenHolds: holdLimits(c.var.config).perClient, groupCommit: holdGroupCommit(c.var.config),
  })
  c.header('Location', `/api/v1/reservations/${result.reservation.id}`)
  // a replay answers the reservation the key made, as it is now: 200, not a second 201
  return c.json(result.reservation, result.created ? 201 : 200)
})

const showReservationRoute = readWithReservationToken({
  path: '/api/v1/reservations/{id}', tag: 'reservations', summary: 'A reservation, with its tickets once paid',
}, reservationSchema)

reservationApiRoutes.openapi(showReservationRoute, async (c) => {
  const reservation = await findReservation(c.var.db, c.req.valid('param').id, c.req.valid('header').authorization, c.var.now)
  if (!reservation) return apiNotFound(c)
  c.header('Cache-Control', 'no-store')
  return c.json(reservation, 200)
})
