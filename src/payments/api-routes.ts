/** JSON API for payments: start an STK Push for a reservation, then follow it. Both take the reservation's bearer token. */
import { createRoute } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { apiNotFound } from '../http/api.ts'
import type { AppEnv } from '../http/app-env.ts'
import { apiRoutes, json, jsonBody, jsonError, readWithReservationToken, withReservationToken } from '../http/openapi.ts'
import { paymentRequestSchema, paymentSchema } from './api-schemas.ts'
import { publicOrigin } from '../http/public-origin.ts'
import { holdLimits } from '../tickets/hold-limits.ts'
import { findPayment, startPayment, type PaymentJson } from './checkout-service.ts'

export const paymentApiRoutes = apiRoutes({ json: { status: 422, code: 'invalid_request', key: 'checkout.invalidPhone' } })

/** The payment with its reason in the caller's language. */
function toApi(c: Context<AppEnv>, payment: PaymentJson) {
  return { ...payment, reason: payment.reason ? { code: payment.reason.code, message: c.var.t(payment.reason.message) } : undefined }
}

const startPaymentRoute = createRoute({
  method: 'post', path: '/api/v1/reservations/{id}/payments', tags: ['payments'],
  summary: 'Pay a held reservation with M-Pesa: sends the STK prompt to the phone',
  description: 'While a prompt is pending the hold is kept, and asking again returns the same payment.',
  security: withReservationToken.security,
  request: { params: withReservationToken.params, headers: withReservationToken.headers, body: jsonBody(paymentRequestSchema) },
  responses: {
    202: json(paymentSchema, 'The prompt is on its way; follow the payment (`Location`)'),
    404: jsonError('Unknown reservation, or not yours (no token, or a wrong one)'),
    409: jsonError('The hold is over (`hold_expired`), already paid (`already_paid`), nothing to pay, or the organiser takes no M-Pesa yet'),
    415: jsonError('The body is not JSON (`unsupported_media_type`)'),
    422: jsonError('Not a Kenyan mobile number (`invalid_phone`), not an email (`invalid_email`), an unknown channel (`invalid_channel`), email chosen without one (`email_needed`), or an invalid body (`invalid_request`)'),
    429: jsonError('Too many failed payments from this phone or buyer; try later'),
    503: jsonError('M-Pesa did not accept the request; retry shortly'),
  },
})

paymentApiRoutes.openapi(startPaymentRoute, async (c) => {
  const payment = await startPayment(c.var.db, c.var.services, {
    reservationId: c.req.valid('param').id, token: c.req.valid('header').authorization, phone: c.req.valid('json').phone,
    email: c.req.valid('json').email, channel: c.req.valid('json').channel,
    userId: c.var.user?.id ?? null, origin: publicOrigin(c), lang: c.var.lang, now: c.var.now,
    maxHoldsPerPhone: holdLimits(c.var.config).perPhone,
  })
  c.header('Location', `/api/v1/payments/${payment.id}`)
  return c.json(toApi(c, payment), 202)
})

const showPaymentRoute = readWithReservationToken({
  path: '/api/v1/payments/{id}', tag: 'payments', summary: 'A payment: pending, completed, or failed with the reason',
}, paymentSchema)

paymentApiRoutes.openapi(showPaymentRoute, async (c) => {
  const payment = await findPayment(c.var.db, c.req.valid('param').id, c.req.valid('header').authorization)
  if (!payment) return apiNotFound(c)
  c.header('Cache-Control', 'no-store')
  return c.json(toApi(c, payment), 200)
})
