/**
 * A Daraja sandbox simulator for development and tests: OAuth, STK Push, STK Query, the asynchronous
 * callbacks, Reversal, B2C (b2c.ts), and a "simulated phone" page where a person approves a prompt
 * with a PIN or cancels it. Requests are validated and answered in Daraja's exact shapes (specs/daraja.md), so the
 * real client can be tested against it. Web APIs only: served on its own port by the Deno entry, or
 * called in-process through `app.fetch`.
 */
import { Hono } from 'hono'
import type { Context } from 'hono'
import {
  AUTOMATIC_OUTCOMES, createIdSource, eatTimestamp, resultDescription, SANDBOX_B2C_SHORTCODE, SANDBOX_SHORTCODES, SIMULATOR_PHONES,
  type SimulatorOutcome,
} from './outcomes.ts'
import { mountB2c } from './b2c.ts'
import { mountPhonePage } from './phone-page.ts'
import type {
  DarajaSimulator, DarajaSimulatorOptions, DarajaSimulatorState, DeliveredCallback, SimulatedPrompt, SimulatedReversal, StkResult,
} from './types.ts'
import { checkMerchant, checkReversal, checkStkPush, DarajaFault, invalid, type JsonBody } from './validation.ts'

export { B2C_PHONES, DEMO_PIN, SANDBOX_B2C_SHORTCODE, SIMULATOR_PHONES, type SimulatorOutcome } from './outcomes.ts'
export type * from './types.ts'

const ACCEPTED = 'Success. Request accepted for processing'

async function postJson(url: string, body: unknown): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  })
  await res.body?.cancel()
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
}

function automaticOutcome(phone: string): SimulatorOutcome | undefined {
  return (Object.keys(SIMULATOR_PHONES) as SimulatorOutcome[]).find((outcome) => SIMULATOR_PHONES[outcome] === phone)
}

/** Builds a simulator; each one has its own state. */
export function createDarajaSimulator(options: DarajaSimulatorOptions = {}): DarajaSimulator {
  const now = options.now ?? (() => new Date())
  const delayMs = options.callbackDelayMs ?? 1500
  const lifetime = options.tokenLifetimeSeconds ?? 3599
  const deliver = options.deliver ?? postJson
  const ids = createIdSource(now)
  const state: DarajaSimulatorState = {
    shortcodes: { ...(options.shortcodes ?? SANDBOX_SHORTCODES) }, b2cShortcodes: new Set(options.b2cShortcodes ?? [SANDBOX_B2C_SHORTCODE]), tokensIssued: 0, prompts: [], callbacks: [], reversals: [], refusedReversals: new Set(), b2cPayments: [],
  }
  const tokens = new Map<string, { consumerKey: string; expiresAt: number }>()
  const tokenOfConsumer = new Map<string, string>()
  const inflight = new Set<Promise<void>>()

  /** Keeps count of work that settle() waits for; the promise never rejects. */
  function track(work: Promise<void>): Promise<void> {
    const tracked = work.catch(() => undefined)
    inflight.add(tracked)
    void tracked.then(() => inflight.delete(tracked))
    return tracked
  }

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

  async function post(kind: DeliveredCallback['kind'], url: string, body: unknown): Promise<void> {
    try {
      await deliver(url, structuredClone(body))
      state.callbacks.push({ kind, url, body, ok: true, at: now() })
    } catch (error) {
      state.callbacks.push({ kind, url, body, ok: false, error: error instanceof Error ? error.message : String(error), at: now() })
    }
  }

  function stkCallback(prompt: SimulatedPrompt, result: StkResult) {
    const callback: Record<string, unknown> = {
      MerchantRequestID: prompt.merchantRequestId,
      CheckoutRequestID: prompt.checkoutRequestId,
      ResultCode: result.resultCode,
      ResultDesc: result.resultDesc,
    }
    if (result.resultCode === 0) {
      callback.CallbackMetadata = {
        Item: [
          { Name: 'Amount', Value: prompt.amount },
          { Name: 'MpesaReceiptNumber', Value: result.receipt },
          { Name: 'TransactionDate', Value: result.transactionDate },
          { Name: 'PhoneNumber', Value: Number(prompt.phone) },
        ],
      }
    }
    return { Body: { stkCallback: callback } }
  }

  /** Ends a prompt and delivers its callback `deliveries` times, one after another. */
  async function finish(prompt: SimulatedPrompt, resultCode: number, deliveries: number): Promise<void> {
    const at = now()
    prompt.status = 'done'
    prompt.result = resultCode === 0
      ? { resultCode, resultDesc: resultDescription(0), receipt: ids.receipt(), transactionDate: Number(eatTimestamp(at)), answeredAt: at }
      : { resultCode, resultDesc: resultDescription(resultCode), answeredAt: at }
    const body = stkCallback(prompt, prompt.result)
    for (let i = 0; i < deliveries; i++) await post('stk', prompt.callbackUrl, body)
  }

  function answer(checkoutRequestId: string, resultCode: number): Promise<void> {
    const prompt = state.prompts.find((p) => p.checkoutRequestId === checkoutRequestId)
    if (!prompt) return Promise.reject(new Error(`No STK prompt ${checkoutRequestId}`))
    if (prompt.status !== 'pending') return Promise.reject(new Error(`STK prompt ${checkoutRequestId} was already answered`))
    return track(finish(prompt, resultCode, 1))
  }

  function fault(c: Context, error: DarajaFault) {
    return c.json({ requestId: ids.requestId(), errorCode: error.errorCode, errorMessage: error.errorMessage }, error.status)
  }

  async function jsonBody(c: Context): Promise<JsonBody> {
    const body = await c.req.json().catch(() => undefined) as unknown
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('JSON')
    return body as JsonBody
  }

  const app = new Hono()

  app.onError((error, c) => {
    if (error instanceof DarajaFault) return fault(c, error)
    return fault(c, new DarajaFault(500, '500.003.1001', 'Internal Server Error'))
  })
  app.notFound((c) => fault(c, new DarajaFault(404, '404.001.01', 'Resource not found')))

  app.get('/', (c) => c.redirect('/phone', 302))

  app.get('/oauth/v1/generate', (c) => {
    if (c.req.query('grant_type') !== 'client_credentials') throw new DarajaFault(400, '400.008.02', 'Invalid grant type passed')
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(c.req.header('authorization') ?? '')?.[1]
    let pair = ''
    try {
      pair = basic ? atob(basic) : ''
    } catch { /* not base64: refused below */ }
    const colon = pair.indexOf(':')
    const key = pair.slice(0, colon)
    const secret = pair.slice(colon + 1)
    const known = !options.consumers || (Object.hasOwn(options.consumers, key) && options.consumers[key] === secret)
    if (colon < 1 || !secret || !known) throw new DarajaFault(400, '400.008.01', 'Invalid Authentication passed')
    // a new token for the same app invalidates the previous one
    const previous = tokenOfConsumer.get(key)
    if (previous) tokens.delete(previous)
    const token = ids.token()
    tokens.set(token, { consumerKey: key, expiresAt: now().getTime() + lifetime * 1000 })
    tokenOfConsumer.set(key, token)
    state.tokensIssued++
    return c.json({ access_token: token, expires_in: String(lifetime) })
  })

  app.use('/mpesa/*', async (c, next) => {
    const bearer = /^Bearer\s+(\S+)$/.exec(c.req.header('authorization') ?? '')?.[1]
    const entry = bearer ? tokens.get(bearer) : undefined
    if (!bearer || !entry || entry.expiresAt <= now().getTime()) {
      if (bearer) tokens.delete(bearer)
      throw new DarajaFault(404, '404.001.03', 'Invalid Access Token')
    }
    await next()
  })

  app.post('/mpesa/stkpush/v1/processrequest', async (c) => {
    const fields = checkStkPush(await jsonBody(c), state.shortcodes)
    const prompt: SimulatedPrompt = {
      ...fields,
      checkoutRequestId: ids.checkoutRequestId(),
      merchantRequestId: ids.merchantRequestId(),
      createdAt: now(),
      status: 'pending',
    }
    state.prompts.push(prompt)
    const outcome = automaticOutcome(prompt.phone)
    if (outcome) {
      const { resultCode, deliveries } = AUTOMATIC_OUTCOMES[outcome]
      void track(sleep(delayMs).then(() => (prompt.status === 'pending' ? finish(prompt, resultCode, deliveries) : undefined)))
    }
    return c.json({
      MerchantRequestID: prompt.merchantRequestId,
      CheckoutRequestID: prompt.checkoutRequestId,
      ResponseCode: '0',
      ResponseDescription: ACCEPTED,
      CustomerMessage: ACCEPTED,
    })
  })

  app.post('/mpesa/stkpushquery/v1/query', async (c) => {
    const body = await jsonBody(c)
    const shortcode = checkMerchant(body, state.shortcodes)
    const prompt = state.prompts.find((p) => p.checkoutRequestId === body.CheckoutRequestID && p.shortcode === shortcode)
    if (!prompt) throw invalid('CheckoutRequestID')
    if (prompt.status === 'pending' || !prompt.result) throw new DarajaFault(500, '500.001.1001', 'The transaction is being processed')
    return c.json({
      ResponseCode: '0',
      ResponseDescription: 'The service request has been accepted successsfully',
      MerchantRequestID: prompt.merchantRequestId,
      CheckoutRequestID: prompt.checkoutRequestId,
      ResultCode: String(prompt.result.resultCode),
      ResultDesc: prompt.result.resultDesc,
    })
  })

  app.post('/mpesa/reversal/v1/request', async (c) => {
    const fields = checkReversal(await jsonBody(c), (receipt) => {
      const paid = state.prompts.find((p) => p.result?.receipt === receipt)
      return paid && { amount: paid.amount, shortcode: paid.shortcode, partyB: paid.partyB }
    })
    const payment = state.prompts.find((p) => p.result?.receipt === fields.receipt)!
    const originatorConversationId = ids.originatorConversationId()
    const conversationId = ids.conversationId()
    const transactionId = ids.receipt()
    const refused = state.refusedReversals.has(fields.receipt)
    const left = payment.amount - (payment.reversedAmount ?? 0)
    const first = !refused && fields.amount <= left
    if (first) {
      payment.reversedBy ??= conversationId
      payment.reversedAmount = (payment.reversedAmount ?? 0) + fields.amount
    }
    const reversal: SimulatedReversal = {
      originatorConversationId, conversationId, transactionId,
      initiator: fields.initiator, receipt: fields.receipt, amount: fields.amount,
      resultUrl: fields.resultUrl, queueTimeoutUrl: fields.queueTimeoutUrl, remarks: fields.remarks,
      resultCode: first ? 0 : refused ? 'R000001' : 'R000002',
      resultDesc: first ? 'The service request is processed successfully.'
        : refused ? 'The transaction could not be reversed.' : 'The OriginalTransactionID is invalid.',
    }
    state.reversals.push(reversal)
    const result = first
      ? {
        ResultType: 0, ResultCode: 0, ResultDesc: reversal.resultDesc, OriginatorConversationID: originatorConversationId,
        ConversationID: conversationId, TransactionID: transactionId,
        ResultParameters: { ResultParameter: [{ Key: 'Amount', Value: fields.amount }, { Key: 'OriginalTransactionID', Value: fields.receipt }] },
      }
      : {
        ResultType: 0, ResultCode: reversal.resultCode, ResultDesc: reversal.resultDesc, OriginatorConversationID: originatorConversationId,
        ConversationID: conversationId, TransactionID: transactionId,
        ReferenceData: { ReferenceItem: { Key: 'QueueTimeoutURL', Value: fields.queueTimeoutUrl } },
      }
    void track(sleep(delayMs).then(() => post('reversal', fields.resultUrl, { Result: result })))
    return c.json({
      OriginatorConversationID: originatorConversationId,
      ConversationID: conversationId,
      ResponseCode: '0',
      ResponseDescription: 'Accept the service request successfully.',
    })
  })

  mountB2c(app, { state, ids, now, delayMs, jsonBody, post, track })
  mountPhonePage(app, { state, answer, businessNames: options.businessNames ?? {} })

  return {
    app,
    state,
    answer,
    async settle() {
      while (inflight.size > 0) await Promise.all([...inflight])
    },
  }
}
