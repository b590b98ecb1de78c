/** JSON API for reservations: hold tickets, then follow the hold with its bearer token. */
import { z } from 'zod'
import { apiError, bearerToken } from '../http/api.ts'
import { factory } from '../http/factory.ts'
import { holdClientKey, holdLimits } from './hold-limits.ts'
import { createReservation, findReservation } from './reservations.ts'

export const reservationApiRoutes = factory.createApp()

const body = z.object({
  items: z.array(z.object({
    ticketTypeId: z.uuid(),
    quantity: z.number().int().min(1).max(50),
  }).strict()).min(1).max(10)
    .refine((items) => new Set(items.map((item) => item.ticketTypeId)).size === items.length, 'each ticket type once'),
}).strict()

const idempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/).optional()

reservationApiRoutes.post('/api/v1/events/:eventId/reservations', async (c) => {
  const eventId = z.uuid().safeParse(c.req.param('eventId'))
  if (!eventId.success) return apiError(c, 404, 'not_found', 'api.notFound')
  const key = idempotencyKey.safeParse(c.req.header('idempotency-key'))
  if (!key.success) return apiError(c, 422, 'invalid_idempotency_key', 'reserve.invalidKey')
  const parsed = body.safeParse(await c.req.json().catch(() => undefined))
  if (!parsed.success) return apiError(c, 422, 'invalid_request', 'reserve.invalidItems')
  const result = await createReservation(c.var.db, {
    eventId: eventId.data, items: parsed.data.items, userId: c.var.user?.id ?? null, idempotencyKey: key.data, now: c.var.now,
    clientKey: await holdClientKey(c), maxOpenHolds: holdLimits(c.var.config).perClient,
  })
  c.header('Location', `/api/v1/reservations/${result.reservation.id}`)
  // a replay answers with what was made the first time: 200, not a second 201
  return c.json(result.reservation, result.created ? 201 : 200)
})

reservationApiRoutes.get('/api/v1/reservations/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const token = bearerToken(c)
  const reservation = id.success && token ? await findReservation(c.var.db, id.data, token, c.var.now) : undefined
  if (!reservation) return apiError(c, 404, 'not_found', 'api.notFound')
  c.header('Cache-Control', 'no-store')
  return c.json(reservation)
})
