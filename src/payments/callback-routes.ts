/**
 * Daraja's callbacks. Safaricom does not sign them, so a callback counts only when its URL carries the
 * payment's secret (compared in constant time), its body has Daraja's shape, and it names the stored
 * CheckoutRequestID and the expected amount. Every callback is answered at once with "Accepted", the
 * ignored ones too: a slow or failing answer makes Safaricom drop or repeat it, and a payment whose
 * callback we could not use is settled by STK Query anyway (the check-payment job).
 */
import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { constantTimeEqualText, sha256Hex } from '../lib/crypto.ts'
import { applyPaymentResult, type PaymentResult } from './payment-results.ts'
import { paidPerDaraja, queueCheck } from './payment-checks.ts'
import { findTransaction, recordCheckoutRequestId } from './payment-queries.ts'
import { applyReversalResult, queueRefund, reversalResultBody } from './refunds.ts'

export const callbackRoutes = factory.createApp()

const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' }

const metadataItem = z.object({ Name: z.string(), Value: z.union([z.string(), z.number()]).optional() })
const stkCallbackBody = z.object({
  Body: z.object({
    stkCallback: z.object({
      MerchantRequestID: z.string().max(100),
      CheckoutRequestID: z.string().min(1).max(100),
      ResultCode: z.coerce.number().int(),
      ResultDesc: z.string().max(500),
      CallbackMetadata: z.object({ Item: z.array(metadataItem).max(20) }).optional(),
    }),
  }),
})

type StkCallback = z.output<typeof stkCallbackBody>['Body']['stkCallback']

/** Daraja's result as our PaymentResult; undefined when a success lacks what a success must carry. */
function resultOf(callback: StkCallback): PaymentResult | undefined {
  if (callback.ResultCode !== 0) return { kind: 'failure', resultCode: callback.ResultCode, reason: callback.ResultDesc }
  const items = new Map((callback.CallbackMetadata?.Item ?? []).map((item) => [item.Name, item.Value]))
  const amount = Number(items.get('Amount'))
  const receipt = String(items.get('MpesaReceiptNumber') ?? '')
  const phone = items.get('PhoneNumber')
  if (!Number.isFinite(amount) || !/^[A-Z0-9]{8,20}$/.test(receipt)) return undefined
  return {
    kind: 'success', amountMinor: Math.round(amount * 100), receipt,
    phone: phone === undefined || phone === '' ? null : String(phone),
  }
}

/** The payment the URL names, if the URL's secret is its secret. */
async function paymentFromUrl(c: Context<AppEnv>) {
  const id = z.uuid().safeParse(c.req.param('paymentId'))
  const secret = c.req.param('secret') ?? ''
  if (!id.success || secret.length > 100) return undefined
  const payment = await withContext(c.var.db, SYSTEM, (trx) => findTransaction(trx, id.data))
  if (!payment?.callback_secret_hash || !constantTimeEqualText(payment.callback_secret_hash, await sha256Hex(secret))) return undefined
  return payment
}

function ignore(c: Context<AppEnv>, why: string) {
  c.set('logNote', `ignored: ${why}`)
  return c.json(ACCEPTED)
}

callbackRoutes.post('/payments/mpesa/callback/:paymentId/:secret', async (c) => {
  try {
    return await handleStkCallback(c)
  } catch (error) {
    // answered all the same; STK Query settles the payment (a failed one too: the money may be in)
    c.set('logNote', `failed: ${String((error as Error)?.message ?? error).slice(0, 200)}`)
    const id = z.uuid().safeParse(c.req.param('paymentId'))
    if (id.success) await queueCheck(c.var.services.scheduler, { paymentId: id.data, attempt: 1, recheck: true }, c.var.now).catch(() => {})
    return c.json(ACCEPTED)
  }
})

async function handleStkCallback(c: Context<AppEnv>) {
  const parsed = stkCallbackBody.safeParse(await c.req.json().catch(() => undefined))
  const payment = await paymentFromUrl(c)
  if (!payment) return ignore(c, 'unknown payment or wrong secret')
  if (!parsed.success) return ignore(c, 'malformed body')
  const callback = parsed.data.Body.stkCallback
  if (payment.checkout_request_id !== null && payment.checkout_request_id !== callback.CheckoutRequestID) {
    return ignore(c, 'CheckoutRequestID does not match')
  }
  const result = resultOf(callback)
  if (!result) return ignore(c, 'success without receipt or amount')
  // A success we cannot match to a recorded push, or that follows a recorded outcome, is only taken
  // once Daraja itself confirms it: the URL's secret alone must never be enough to issue tickets.
  const unexpected = payment.checkout_request_id === null || payment.status !== 'pending'
  if (result.kind === 'success' && unexpected && payment.status !== 'completed') {
    if (!(await paidPerDaraja(c.var.db, c.var.services, payment, callback.CheckoutRequestID))) {
      await queueCheck(c.var.services.scheduler, { paymentId: payment.id, attempt: 1, recheck: true }, c.var.now)
      return ignore(c, 'success not confirmed by STK Query')
    }
  }
  if (payment.checkout_request_id === null) {
    // the callback overtook our own record of the push
    await withContext(c.var.db, SYSTEM, (trx) => recordCheckoutRequestId(trx, payment.id, callback.CheckoutRequestID))
  }
  const outcome = await applyPaymentResult(c.var.db, c.var.services.secretKeys, payment.id, result, c.var.now)
  if (outcome === 'refund_due') await queueRefund(c.var.services.scheduler, payment.id, c.var.now)
  if (outcome === 'ignored') return ignore(c, 'duplicate or not matching')
  c.set('logNote', outcome)
  return c.json(ACCEPTED)
}

/** Reversal results (and queue timeouts) come back here, with the same secret. */
callbackRoutes.post('/payments/mpesa/reversal/:paymentId/:secret', async (c) => {
  const payment = await paymentFromUrl(c)
  const body = reversalResultBody.safeParse(await c.req.json().catch(() => undefined))
  if (!payment) return ignore(c, 'unknown payment or wrong secret')
  if (!body.success) return ignore(c, 'malformed body')
  await applyReversalResult(c.var.db, payment.id, body.data.Result, c.var.now)
  return c.json(ACCEPTED)
})
