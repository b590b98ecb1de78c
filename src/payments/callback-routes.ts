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
import { paidPerDaraja } from './payment-checks.ts'
import { findTransaction } from './payment-queries.ts'
import { findRefund, reversalResultBody } from './refunds.ts'
import { settleCallback, settleLater, settleReversal, type PaymentResult } from './settlement.ts'

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

/** The refund a reversal result URL names, if the URL's secret is its secret. */
async function refundFromUrl(c: Context<AppEnv>) {
  const id = z.uuid().safeParse(c.req.param('refundId'))
  const secret = c.req.param('secret') ?? ''
  if (!id.success || secret.length > 100) return undefined
  const refund = await withContext(c.var.db, SYSTEM, (trx) => findRefund(trx, id.data))
  if (!refund?.callback_secret_hash || !constantTimeEqualText(refund.callback_secret_hash, await sha256Hex(secret))) return undefined
  return refund
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
    if (id.success) await settleLater(c.var.services, id.data, c.var.now).catch(() => {})
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
  const { db, services, now } = c.var
  const outcome = await settleCallback(db, services, payment, callback.CheckoutRequestID, result, now,
    (unconfirmed, checkoutRequestId) => paidPerDaraja(db, services, unconfirmed, checkoutRequestId))
  if (outcome === 'unconfirmed') return ignore(c, 'success not confirmed by STK Query')
  if (outcome === 'ignored') return ignore(c, 'duplicate or not matching')
  c.set('logNote', outcome)
  return c.json(ACCEPTED)
}

/** Reversal results (and queue timeouts) come back here, with the refund's own secret. */
callbackRoutes.post('/payments/mpesa/reversal/:refundId/:secret', async (c) => {
  const refund = await refundFromUrl(c)
  const body = reversalResultBody.safeParse(await c.req.json().catch(() => undefined))
  if (!refund) return ignore(c, 'unknown refund or wrong secret')
  if (!body.success) return ignore(c, 'malformed body')
  c.set('logNote', await settleReversal(c.var.db, refund.id, body.data.Result, c.var.now))
  return c.json(ACCEPTED)
})
