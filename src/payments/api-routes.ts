/** JSON API for payments: start an STK Push for a reservation, then follow it. Both take the reservation's bearer token. */
import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { apiError, bearerToken } from '../http/api.ts'
import { factory } from '../http/factory.ts'
import { holdLimits } from '../tickets/hold-limits.ts'
import { publicOrigin } from './callback-routes.ts'
import { findPayment, startPayment, type PaymentJson } from './checkout-service.ts'

export const paymentApiRoutes = factory.createApp()

const body = z.object({ phone: z.string().max(40) }).strict()

const notFound = (c: Context<AppEnv>) => apiError(c, 404, 'not_found', 'api.notFound')

/** The payment with its reason in the caller's language. */
function toApi(c: Context<AppEnv>, payment: PaymentJson) {
  return { ...payment, reason: payment.reason ? { code: payment.reason.code, message: c.var.t(payment.reason.message) } : undefined }
}

paymentApiRoutes.post('/api/v1/reservations/:id/payments', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const token = bearerToken(c)
  if (!id.success || !token) return notFound(c)
  const parsed = body.safeParse(await c.req.json().catch(() => undefined))
  if (!parsed.success) return apiError(c, 422, 'invalid_request', 'checkout.invalidPhone')
  const payment = await startPayment(c.var.db, c.var.services, {
    reservationId: id.data, token, phone: parsed.data.phone, userId: c.var.user?.id ?? null,
    origin: publicOrigin(c), lang: c.var.lang, now: c.var.now, maxHoldsPerPhone: holdLimits(c.var.config).perPhone,
  })
  c.header('Location', `/api/v1/payments/${payment.id}`)
  return c.json(toApi(c, payment), 202)
})

paymentApiRoutes.get('/api/v1/payments/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const token = bearerToken(c)
  const payment = id.success && token ? await findPayment(c.var.db, id.data, token) : undefined
  if (!payment) return notFound(c)
  c.header('Cache-Control', 'no-store')
  return c.json(toApi(c, payment))
})
