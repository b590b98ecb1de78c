/** JSON API for payments: start an STK Push for a reservation, then follow it. Both take the reservation's bearer token. */
import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { publicOrigin } from './callback-routes.ts'
import { findPayment, startPayment, type PaymentJson } from './checkout-service.ts'

export const paymentApiRoutes = factory.createApp()

const body = z.object({ phone: z.string().max(40) }).strict()

function bearer(c: Context<AppEnv>): string | undefined {
  return /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(c.req.header('authorization') ?? '')?.[1]
}

function notFound(c: Context<AppEnv>) {
  return c.json({ error: { code: 'not_found', message: c.var.t('api.notFound') } }, 404)
}

/** The payment with its reason in the caller's language. */
function toApi(c: Context<AppEnv>, payment: PaymentJson) {
  return { ...payment, reason: payment.reason ? { code: payment.reason.code, message: c.var.t(payment.reason.message) } : undefined }
}

paymentApiRoutes.post('/api/v1/reservations/:id/payments', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const token = bearer(c)
  if (!id.success || !token) return notFound(c)
  const parsed = body.safeParse(await c.req.json().catch(() => undefined))
  if (!parsed.success) return c.json({ error: { code: 'invalid_request', message: c.var.t('checkout.invalidPhone') } }, 422)
  const payment = await startPayment(c.var.db, c.var.services, {
    reservationId: id.data, token, phone: parsed.data.phone, userId: c.var.user?.id ?? null,
    origin: publicOrigin(c), lang: c.var.lang, now: c.var.now,
  })
  c.header('Location', `/api/v1/payments/${payment.id}`)
  return c.json(toApi(c, payment), 202)
})

paymentApiRoutes.get('/api/v1/payments/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const token = bearer(c)
  const payment = id.success && token ? await findPayment(c.var.db, id.data, token) : undefined
  if (!payment) return notFound(c)
  c.header('Cache-Control', 'no-store')
  return c.json(toApi(c, payment))
})
