/**
 * /webhooks/resend and /webhooks/waha: delivery feedback from the providers. Each proves itself by its
 * signature over the raw body (webhooks.ts); without the secret configured the endpoint does not exist.
 */
import { bodyLimit } from 'hono/body-limit'
import { apiError } from '../http/api.ts'
import { factory } from '../http/factory.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { applyResendEvent, applyWahaEvent, verifySvix, verifyWahaHmac } from './webhooks.ts'

export const webhookRoutes = factory.createApp()

// anyone can reach these: a delivery report is a few KB, so a larger body is refused before it is read whole
export const WEBHOOK_MAX_BODY = 256 * 1024
webhookRoutes.use('/webhooks/*', bodyLimit({
  maxSize: WEBHOOK_MAX_BODY,
  onError: (c) => apiError(c, 413, 'body_too_large', 'webhooks.bodyTooLarge'),
}))

function parsed(raw: string): unknown {
  try {
    return JSON.parse(raw)
  } catch {
    return undefined
  }
}

webhookRoutes.post('/webhooks/resend', async (c) => {
  const secret = c.var.services.webhookSecrets?.resend
  if (!secret) throw new NotFoundError()
  const raw = await c.req.text()
  const valid = await verifySvix(secret, {
    id: c.req.header('svix-id'), timestamp: c.req.header('svix-timestamp'), signature: c.req.header('svix-signature'),
  }, raw, c.var.now)
  if (!valid) return apiError(c, 401, 'bad_signature', 'api.badRequest')
  const changed = await applyResendEvent(c.var.db, parsed(raw), c.var.now)
  return c.json({ ok: true, changed })
})

webhookRoutes.post('/webhooks/waha', async (c) => {
  const secret = c.var.services.webhookSecrets?.waha
  if (!secret) throw new NotFoundError()
  const raw = await c.req.text()
  const valid = await verifyWahaHmac(secret, c.req.header('x-webhook-hmac'), c.req.header('x-webhook-timestamp'), raw, c.var.now)
  if (!valid) return apiError(c, 401, 'bad_signature', 'api.badRequest')
  const changed = await applyWahaEvent(c.var.db, parsed(raw), c.var.now)
  return c.json({ ok: true, changed })
})
