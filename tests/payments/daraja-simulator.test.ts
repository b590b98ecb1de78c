import { describe, expect, it } from 'vitest'
import { createDarajaClient, darajaPassword, darajaTimestamp, DarajaError, type DarajaCredentials } from '../../src/payments/daraja-client.ts'
import type { FetchFn } from '../../src/lib/fetch.ts'
import { fetchDarajaToken } from '../../src/payments/daraja-oauth.ts'
import {
  createDarajaSimulator, DEMO_PIN, SIMULATOR_PHONES, type DarajaSimulatorOptions,
} from '../../src/payments/simulator/daraja-simulator.ts'

const BASE = 'http://daraja.local'
const PASSKEY = 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919'
const credentials: DarajaCredentials = {
  consumerKey: 'ck_sim', consumerSecret: 'cs_sim', shortcode: '174379', passkey: PASSKEY, accountType: 'paybill',
  initiatorName: 'testapi', securityCredential: 'ZW5jcnlwdGVkLXBhc3N3b3Jk',
}
const CALLBACK = 'https://tikiti.example/payments/callback/s3cret'
const PERSON = '254708374149'

interface Delivery { url: string; body: any }

function setup(extra: DarajaSimulatorOptions = {}) {
  const delivered: Delivery[] = []
  const sim = createDarajaSimulator({
    callbackDelayMs: 0,
    deliver: async (url, body) => { delivered.push({ url, body }) },
    ...extra,
  })
  const fetchFn: FetchFn = async (input, init) => sim.app.fetch(new Request(input, init))
  const client = (overrides: Partial<DarajaCredentials> = {}, now?: () => Date) =>
    createDarajaClient({ baseUrl: BASE, credentials: { ...credentials, ...overrides }, fetch: fetchFn, now })
  const push = (phone: string, amountMinor = 300_000) =>
    client().stkPush({ amountMinor, phone, callbackUrl: CALLBACK, accountReference: 'JAZZ-42', description: 'Jazz Night' })

  /** A raw Daraja call with a fresh token, for fields the client would never send wrong. */
  async function raw(path: string, body: Record<string, unknown>) {
    const { accessToken } = await fetchDarajaToken(BASE, { consumerKey: 'raw', consumerSecret: 'raw' }, fetchFn)
    const res = await sim.app.request(path, {
      method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() as any }
  }
  function pushBody(overrides: Record<string, unknown> = {}) {
    const timestamp = darajaTimestamp(new Date())
    return {
      BusinessShortCode: '174379', Password: darajaPassword('174379', PASSKEY, timestamp), Timestamp: timestamp,
      TransactionType: 'CustomerPayBillOnline', Amount: 10, PartyA: PERSON, PartyB: '174379', PhoneNumber: PERSON,
      CallBackURL: CALLBACK, AccountReference: 'JAZZ-42', TransactionDesc: 'Jazz Night', ...overrides,
    }
  }
  return { sim, delivered, fetchFn, client, push, raw, pushBody }
}

const badRequest = (field: string) => ({ requestId: expect.any(String), errorCode: '400.002.02', errorMessage: `Bad Request - Invalid ${field}` })

describe('the Daraja simulator: OAuth', () => {
  it('gives a token for any key:secret pair, with expires_in as the string "3599"', async () => {
    const { sim } = setup()
    const res = await sim.app.request('/oauth/v1/generate?grant_type=client_credentials', { headers: { authorization: `Basic ${btoa('any:thing')}` } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ access_token: expect.stringMatching(/^\w{28}$/), expires_in: '3599' })
    expect(sim.state.tokensIssued).toBe(1)
  })

  it('refuses a wrong grant type and missing or bad Basic authentication', async () => {
    const { sim } = setup()
    const basic = { authorization: `Basic ${btoa('ck:cs')}` }
    const wrongGrant = await sim.app.request('/oauth/v1/generate?grant_type=password', { headers: basic })
    expect(wrongGrant.status).toBe(400)
    expect(await wrongGrant.json()).toMatchObject({ errorCode: '400.008.02' })
    for (const headers of <Array<Record<string, string>>>[{}, { authorization: 'Bearer x' }, { authorization: `Basic ${btoa('ck:')}` }, { authorization: `Basic ${btoa('nocolon')}` }]) {
      const res = await sim.app.request('/oauth/v1/generate?grant_type=client_credentials', { headers })
      expect(res.status).toBe(400)
      expect(await res.json()).toMatchObject({ errorCode: '400.008.01', errorMessage: 'Invalid Authentication passed' })
    }
    expect(sim.state.tokensIssued).toBe(0)
  })

  it('is used by the client once for many calls, and again a minute before the hour is up', async () => {
    let now = new Date('2026-11-24T09:00:00Z')
    const { sim, client } = setup({ now: () => now })
    const daraja = client({}, () => now)
    const push = () => daraja.stkPush({ amountMinor: 100, phone: PERSON, callbackUrl: CALLBACK, accountReference: 'A', description: 'B' })
    await Promise.all(Array.from({ length: 5 }, push))
    expect(sim.state.tokensIssued).toBe(1)
    now = new Date(now.getTime() + (3599 - 61) * 1000)
    await push()
    expect(sim.state.tokensIssued).toBe(1)
    now = new Date(now.getTime() + 2000)
    await push()
    expect(sim.state.tokensIssued).toBe(2)
    expect(sim.state.prompts).toHaveLength(7)
  })

  it('expires tokens by its own clock; the client then gets a fresh token and retries once', async () => {
    let simNow = new Date('2026-11-24T09:00:00Z')
    const clientNow = new Date('2026-11-24T09:00:00Z')
    const { sim, client } = setup({ now: () => simNow })
    const daraja = client({}, () => clientNow)
    await daraja.stkQuery('ws_CO_unknown').catch(() => undefined)
    expect(sim.state.tokensIssued).toBe(1)
    simNow = new Date(simNow.getTime() + 3600 * 1000)
    const accepted = await daraja.stkPush({ amountMinor: 100, phone: PERSON, callbackUrl: CALLBACK, accountReference: 'A', description: 'B' })
    expect(accepted.checkoutRequestId).toMatch(/^ws_CO_/)
    expect(sim.state.tokensIssued).toBe(2)
  })

  it('invalidates the previous token when the same app gets a new one, and the client recovers', async () => {
    const { sim, client, push } = setup()
    const first = client()
    const send = () => first.stkPush({ amountMinor: 100, phone: PERSON, callbackUrl: CALLBACK, accountReference: 'A', description: 'B' })
    await send()
    await push(PERSON) // another client with the same consumer key takes a new token
    expect(sim.state.tokensIssued).toBe(2)
    await send()
    expect(sim.state.tokensIssued).toBe(3)
    const res = await sim.app.request('/mpesa/stkpush/v1/processrequest', { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '{}' })
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ requestId: expect.any(String), errorCode: '404.001.03', errorMessage: 'Invalid Access Token' })
  })
})

describe('the Daraja simulator: STK Push and its callbacks', () => {
  it('accepts a push in Daraja\'s words and records the prompt', async () => {
    const { sim, client } = setup()
    const res = await sim.app.fetch(new Request(`${BASE}/oauth/v1/generate?grant_type=client_credentials`, { headers: { authorization: `Basic ${btoa('a:b')}` } }))
    expect(res.status).toBe(200)
    const accepted = await client().stkPush({ amountMinor: 150_000, phone: PERSON, callbackUrl: CALLBACK, accountReference: 'NAIROBIJAZZNIGHT', description: 'Tickets for Nairobi Jazz Night' })
    expect(accepted).toEqual({ merchantRequestId: expect.any(String), checkoutRequestId: expect.stringMatching(/^ws_CO_\d+$/), customerMessage: 'Success. Request accepted for processing' })
    expect(sim.state.prompts).toEqual([expect.objectContaining({
      checkoutRequestId: accepted.checkoutRequestId, merchantRequestId: accepted.merchantRequestId, shortcode: '174379', amount: 1500,
      phone: PERSON, partyB: '174379', callbackUrl: CALLBACK, accountReference: 'NAIROBIJAZZN', transactionDesc: 'Tickets for N',
      transactionType: 'CustomerPayBillOnline', status: 'pending',
    })])
  })

  it('answers the success test number with the callback in Daraja\'s exact shape', async () => {
    const { sim, delivered, push } = setup({ now: () => new Date('2026-11-24T09:05:07Z') })
    const accepted = await push(SIMULATOR_PHONES.success, 250_000)
    await sim.settle()
    expect(delivered).toEqual([{
      url: CALLBACK,
      body: {
        Body: {
          stkCallback: {
            MerchantRequestID: accepted.merchantRequestId, CheckoutRequestID: accepted.checkoutRequestId,
            ResultCode: 0, ResultDesc: 'The service request is processed successfully.',
            CallbackMetadata: {
              Item: [
                { Name: 'Amount', Value: 2500 },
                { Name: 'MpesaReceiptNumber', Value: expect.stringMatching(/^[A-Z0-9]{10}$/) },
                { Name: 'TransactionDate', Value: 20261124120507 },
                { Name: 'PhoneNumber', Value: 254700000000 },
              ],
            },
          },
        },
      },
    }])
    expect(sim.state.callbacks).toEqual([expect.objectContaining({ kind: 'stk', url: CALLBACK, ok: true })])
    expect(sim.state.prompts[0]!.result).toMatchObject({ resultCode: 0, receipt: delivered[0]!.body.Body.stkCallback.CallbackMetadata.Item[1].Value })
  })

  it.each([
    ['cancelled', 1032, 'Request cancelled by user'],
    ['wrongPin', 2001, 'The initiator information is invalid.'],
    ['insufficientFunds', 1, 'The balance is insufficient for the transaction.'],
    ['unreachable', 1037, 'DS timeout user cannot be reached'],
  ] as const)('answers the %s test number with ResultCode %i and no CallbackMetadata', async (outcome, code, desc) => {
    const { sim, delivered, push, client } = setup()
    const accepted = await push(SIMULATOR_PHONES[outcome])
    await sim.settle()
    expect(delivered).toEqual([{
      url: CALLBACK,
      body: { Body: { stkCallback: { MerchantRequestID: accepted.merchantRequestId, CheckoutRequestID: accepted.checkoutRequestId, ResultCode: code, ResultDesc: desc } } },
    }])
    expect(await client().stkQuery(accepted.checkoutRequestId)).toEqual({ state: 'done', resultCode: code, resultDesc: desc })
  })

  it('delivers the same success callback three times for the duplicate test number', async () => {
    const { sim, delivered, push } = setup()
    await push(SIMULATOR_PHONES.duplicateCallbacks)
    await sim.settle()
    expect(delivered).toHaveLength(3)
    expect(delivered[1]).toEqual(delivered[0])
    expect(delivered[2]).toEqual(delivered[0])
    expect(delivered[0]!.body.Body.stkCallback.ResultCode).toBe(0)
  })

  it('sends no callback at all for the no-callback number; STK Query reveals the payment', async () => {
    const { sim, delivered, push, client } = setup()
    const accepted = await push(SIMULATOR_PHONES.noCallback)
    await sim.settle()
    expect(delivered).toEqual([])
    expect(await client().stkQuery(accepted.checkoutRequestId))
      .toEqual({ state: 'done', resultCode: 0, resultDesc: 'The service request is processed successfully.' })
    expect(sim.state.prompts[0]!.result!.receipt).toMatch(/^[A-Z0-9]{10}$/)
  })

  it('answers STK Query "being processed" while the buyer has not answered, then the result as strings', async () => {
    const { sim, push, client, raw, delivered } = setup()
    const accepted = await push(PERSON)
    await sim.settle()
    expect(delivered).toEqual([])
    expect(await client().stkQuery(accepted.checkoutRequestId)).toEqual({ state: 'pending' })
    const timestamp = darajaTimestamp(new Date())
    const query = { BusinessShortCode: '174379', Password: darajaPassword('174379', PASSKEY, timestamp), Timestamp: timestamp, CheckoutRequestID: accepted.checkoutRequestId }
    expect(await raw('/mpesa/stkpushquery/v1/query', query))
      .toEqual({ status: 500, body: { requestId: expect.any(String), errorCode: '500.001.1001', errorMessage: 'The transaction is being processed' } })
    await sim.answer(accepted.checkoutRequestId, 1032)
    expect(delivered).toHaveLength(1)
    expect(await raw('/mpesa/stkpushquery/v1/query', query)).toEqual({
      status: 200,
      body: {
        ResponseCode: '0', ResponseDescription: 'The service request has been accepted successsfully',
        MerchantRequestID: accepted.merchantRequestId, CheckoutRequestID: accepted.checkoutRequestId,
        ResultCode: '1032', ResultDesc: 'Request cancelled by user',
      },
    })
    await expect(sim.answer(accepted.checkoutRequestId, 0)).rejects.toThrow(/already answered/)
    expect(await raw('/mpesa/stkpushquery/v1/query', { ...query, CheckoutRequestID: 'ws_CO_0000' }))
      .toEqual({ status: 400, body: badRequest('CheckoutRequestID') })
  })

  it('waits callbackDelayMs before a test number answers', async () => {
    const { sim, push, client, delivered } = setup({ callbackDelayMs: 40 })
    const accepted = await push(SIMULATOR_PHONES.success)
    expect(await client().stkQuery(accepted.checkoutRequestId)).toEqual({ state: 'pending' })
    await sim.settle()
    expect(delivered).toHaveLength(1)
    expect(await client().stkQuery(accepted.checkoutRequestId)).toMatchObject({ state: 'done', resultCode: 0 })
  })

  it('gives every push its own CheckoutRequestID and every payment its own receipt', async () => {
    const { sim, client, delivered } = setup()
    const daraja = client() // one client: clients sharing a consumer key keep invalidating each other's tokens
    const accepted = await Promise.all(Array.from({ length: 30 }, () =>
      daraja.stkPush({ amountMinor: 100, phone: SIMULATOR_PHONES.success, callbackUrl: CALLBACK, accountReference: 'A', description: 'B' })))
    await sim.settle()
    expect(new Set(accepted.map((a) => a.checkoutRequestId)).size).toBe(30)
    expect(new Set(delivered.map((d) => d.body.Body.stkCallback.CallbackMetadata.Item[1].Value)).size).toBe(30)
  })

  it('records failed deliveries instead of throwing', async () => {
    const failing = setup({ deliver: async () => { throw new Error('connection refused') } })
    await failing.push(SIMULATOR_PHONES.success)
    await failing.sim.settle()
    expect(failing.sim.state.callbacks).toEqual([expect.objectContaining({ ok: false, error: 'connection refused', url: CALLBACK })])

    const real = createDarajaSimulator({ callbackDelayMs: 0 }) // the default: a fetch POST
    const fetchFn: FetchFn = async (input, init) => real.app.fetch(new Request(input, init))
    await createDarajaClient({ baseUrl: BASE, credentials, fetch: fetchFn })
      .stkPush({ amountMinor: 100, phone: SIMULATOR_PHONES.cancelled, callbackUrl: 'http://127.0.0.1:1/callback', accountReference: 'A', description: 'B' })
    await real.settle()
    expect(real.state.callbacks).toEqual([expect.objectContaining({ ok: false, url: 'http://127.0.0.1:1/callback' })])
  })
})

describe('the Daraja simulator: request validation', () => {
  it('refuses a wrong password, an unknown shortcode and a local phone format through the client', async () => {
    const { client } = setup()
    const push = { amountMinor: 100, phone: PERSON, callbackUrl: CALLBACK, accountReference: 'A', description: 'B' }
    expect(await client({ passkey: 'wrong' }).stkPush(push).catch((e: unknown) => e))
      .toMatchObject({ name: 'DarajaError', httpStatus: 400, errorCode: '400.002.02', message: 'Bad Request - Invalid Password' })
    const unknown = await client({ shortcode: '600000' }).stkPush(push).catch((e: unknown) => e)
    expect(unknown).toBeInstanceOf(DarajaError)
    expect(unknown).toMatchObject({ httpStatus: 500, errorCode: '500.001.1001', message: 'Merchant does not exist' })
    expect(await client().stkPush({ ...push, phone: '0712345678' }).catch((e: unknown) => e))
      .toMatchObject({ httpStatus: 400, message: 'Bad Request - Invalid PhoneNumber' })
  })

  it.each([
    ['Amount', { Amount: 0 }], ['Amount', { Amount: 250_001 }], ['Amount', { Amount: 1.5 }], ['Amount', { Amount: 'ten' }],
    ['PhoneNumber', { PhoneNumber: '254812345678', PartyA: '254812345678' }], ['PartyA', { PartyA: '254711111111' }],
    ['AccountReference', { AccountReference: 'THIRTEENCHARS' }], ['TransactionDesc', { TransactionDesc: 'fourteen chars' }],
    ['TransactionType', { TransactionType: 'CustomerPay' }], ['CallBackURL', { CallBackURL: 'ftp://x.example/cb' }],
    ['CallBackURL', { CallBackURL: 'not a url' }], ['Timestamp', { Timestamp: '2026112412' }], ['Password', { Password: 'abc' }],
    ['BusinessShortCode', { BusinessShortCode: 'abc' }], ['PartyB', { PartyB: '' }],
  ])('answers 400 "Bad Request - Invalid %s" for %j', async (field, overrides) => {
    const { raw, pushBody, sim } = setup()
    expect(await raw('/mpesa/stkpush/v1/processrequest', pushBody(overrides))).toEqual({ status: 400, body: badRequest(field) })
    expect(sim.state.prompts).toEqual([])
  })

  it('accepts the amount and phone as strings or numbers, as Daraja does', async () => {
    const { raw, pushBody, sim } = setup()
    const answer = await raw('/mpesa/stkpush/v1/processrequest', pushBody({ Amount: '25', PhoneNumber: Number(PERSON), PartyA: Number(PERSON), BusinessShortCode: 174379 }))
    expect(answer).toMatchObject({ status: 200, body: { ResponseCode: '0' } })
    expect(sim.state.prompts[0]).toMatchObject({ amount: 25, phone: PERSON })
  })

  it('answers unknown paths in Daraja\'s error shape', async () => {
    const { raw } = setup()
    expect(await raw('/mpesa/nothing/v1/here', {})).toEqual({ status: 404, body: { requestId: expect.any(String), errorCode: '404.001.01', errorMessage: 'Resource not found' } })
  })
})

describe('the simulated phone page', () => {
  async function pendingPrompt() {
    const setupResult = setup()
    const accepted = await setupResult.push(PERSON, 150_000)
    return { ...setupResult, id: accepted.checkoutRequestId }
  }
  const form = (fields: Record<string, string>) => ({
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(),
  })

  it('lists the waiting prompt with amount, business, account, phone, PIN hint and the test numbers', async () => {
    const { sim, id } = await pendingPrompt()
    const res = await sim.app.request('/phone')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toMatch(/^<!doctype html>/i)
    expect(html).toContain('Pay KES 1,500 to 174379 for account JAZZ-42?')
    expect(html).toContain(PERSON)
    expect(html).toContain(`action="/phone/prompts/${id}?lang=en"`)
    expect(html).toContain(`Demo PIN: ${DEMO_PIN}`)
    for (const phone of Object.values(SIMULATOR_PHONES)) expect(html).toContain(phone)
    expect(html).not.toContain('http-equiv="refresh"') // never reload while a PIN is typed

    const sw = await (await sim.app.request('/phone?lang=sw')).text()
    expect(sw).toContain('Ulipe KES 1,500 kwa 174379 kwa akaunti JAZZ-42?')
    expect(sw).toContain('<html lang="sw">')
    const other = await (await sim.app.request('/phone?phone=254711111111')).text()
    expect(other).not.toContain(id)
    expect(other).toContain('<meta http-equiv="refresh" content="3;url=/phone?phone=254711111111&amp;lang=en"/>')
  })

  it('pays with the demo PIN: 303 back to the phone, then the success callback', async () => {
    const { sim, id, delivered } = await pendingPrompt()
    const res = await sim.app.request(`/phone/prompts/${id}?phone=${PERSON}&lang=sw`, form({ action: 'pay', pin: DEMO_PIN }))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/phone?phone=${PERSON}&lang=sw&notice=paid`)
    await sim.settle()
    expect(delivered).toHaveLength(1)
    expect(delivered[0]!.body.Body.stkCallback).toMatchObject({ CheckoutRequestID: id, ResultCode: 0 })
    const page = await (await sim.app.request(res.headers.get('location')!)).text()
    expect(page).toContain('Umelipa.')
    expect(page).toContain(sim.state.prompts[0]!.result!.receipt!)
  })

  it('fails a wrong PIN with 2001 and a cancel with 1032; a finished prompt cannot be answered again', async () => {
    const wrong = await pendingPrompt()
    const res = await wrong.sim.app.request(`/phone/prompts/${wrong.id}`, form({ action: 'pay', pin: '0000' }))
    expect(res.headers.get('location')).toBe('/phone?lang=en&notice=wrongPin')
    await wrong.sim.settle()
    expect(wrong.delivered.map((d) => d.body.Body.stkCallback.ResultCode)).toEqual([2001])

    const cancel = await pendingPrompt()
    await cancel.sim.app.request(`/phone/prompts/${cancel.id}`, form({ action: 'cancel', pin: '' }))
    await cancel.sim.settle()
    expect(cancel.delivered.map((d) => d.body.Body.stkCallback)).toEqual([expect.objectContaining({ ResultCode: 1032, ResultDesc: 'Request cancelled by user' })])
    const again = await cancel.sim.app.request(`/phone/prompts/${cancel.id}`, form({ action: 'pay', pin: DEMO_PIN }))
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe('/phone?lang=en&notice=gone')
    await cancel.sim.settle()
    expect(cancel.delivered).toHaveLength(1)
  })
})

describe('the Daraja simulator: Reversal', () => {
  async function paid() {
    const s = setup()
    const accepted = await s.push(SIMULATOR_PHONES.success, 250_000)
    await s.sim.settle()
    const receipt = s.delivered[0]!.body.Body.stkCallback.CallbackMetadata.Item[1].Value as string
    s.delivered.length = 0
    return { ...s, receipt, accepted }
  }
  const reversal = (receipt: string) => ({
    receipt, amountMinor: 250_000, resultUrl: 'https://tikiti.example/payments/reversal/result', timeoutUrl: 'https://tikiti.example/payments/reversal/timeout', remarks: 'Event cancelled',
  })

  it('acknowledges, then POSTs the result with the amount and the original receipt', async () => {
    const { sim, client, receipt, delivered } = await paid()
    const ack = await client().reversal(reversal(receipt))
    expect(ack).toEqual({ conversationId: expect.stringMatching(/^AG_\d{8}_/), originatorConversationId: expect.any(String) })
    await sim.settle()
    expect(delivered).toEqual([{
      url: 'https://tikiti.example/payments/reversal/result',
      body: {
        Result: {
          ResultType: 0, ResultCode: 0, ResultDesc: 'The service request is processed successfully.',
          OriginatorConversationID: ack.originatorConversationId, ConversationID: ack.conversationId,
          TransactionID: expect.stringMatching(/^[A-Z0-9]{10}$/),
          ResultParameters: { ResultParameter: [{ Key: 'Amount', Value: 2500 }, { Key: 'OriginalTransactionID', Value: receipt }] },
        },
      },
    }])
    expect(delivered[0]!.body.Result.TransactionID).not.toBe(receipt)
    expect(sim.state.reversals).toEqual([expect.objectContaining({ receipt, amount: 2500, initiator: 'testapi', remarks: 'Event cancelled', resultCode: 0 })])
  })

  it('refuses a second reversal of the same receipt in its result: R000002', async () => {
    const { sim, client, receipt, delivered } = await paid()
    await client().reversal(reversal(receipt))
    const second = await client().reversal(reversal(receipt))
    await sim.settle()
    expect(delivered).toHaveLength(2)
    expect(delivered[1]!.body.Result).toMatchObject({
      ResultCode: 'R000002', ResultDesc: 'The OriginalTransactionID is invalid.', ConversationID: second.conversationId,
    })
    expect(delivered[1]!.body.Result.ResultParameters).toBeUndefined()
  })

  it('reverses part of a payment, never more than is left, and refuses the receipts it is told to', async () => {
    const { sim, client, receipt, delivered } = await paid()
    await client().reversal({ ...reversal(receipt), amountMinor: 100_000 })
    await client().reversal({ ...reversal(receipt), amountMinor: 100_000 })
    await client().reversal({ ...reversal(receipt), amountMinor: 100_000 }) // only KES 500 is left
    sim.state.refusedReversals.add(receipt)
    await client().reversal({ ...reversal(receipt), amountMinor: 10_000 })
    await sim.settle()
    expect(delivered.map((d) => d.body.Result.ResultCode)).toEqual([0, 0, 'R000002', 'R000001'])
    expect(sim.state.reversals.map((r) => r.amount)).toEqual([1000, 1000, 1000, 100])
  })

  it('refuses an unknown receipt, an amount above the payment and missing initiator credentials', async () => {
    const { client, receipt, raw } = await paid()
    expect(await client().reversal(reversal('NLJ7RT61SV')).catch((e: unknown) => e))
      .toMatchObject({ httpStatus: 400, errorCode: '400.002.02', message: 'Bad Request - Invalid TransactionID' })
    expect(await client().reversal({ ...reversal(receipt), amountMinor: 300_000 }).catch((e: unknown) => e))
      .toMatchObject({ httpStatus: 400, message: 'Bad Request - Invalid Amount' })
    const none = await client({ initiatorName: undefined }).reversal(reversal(receipt)).catch((e: unknown) => e)
    expect(none).toBeInstanceOf(DarajaError)
    expect(none).toMatchObject({ errorCode: 'no_initiator' })
    await expect(client().reversal({ ...reversal(receipt), remarks: 'x' })).rejects.toThrow(RangeError)

    const body = {
      Initiator: 'testapi', SecurityCredential: 'c2VjcmV0', CommandID: 'TransactionReversal', TransactionID: receipt, Amount: 2500,
      ReceiverParty: '174379', RecieverIdentifierType: '11', ResultURL: 'https://x.example/r', QueueTimeOutURL: 'https://x.example/t', Remarks: 'Refund',
    }
    for (const [field, overrides] of [
      ['Initiator', { Initiator: '' }], ['SecurityCredential', { SecurityCredential: ' ' }], ['CommandID', { CommandID: 'BusinessPayment' }],
      ['ReceiverParty', { ReceiverParty: '600000' }], ['RecieverIdentifierType', { RecieverIdentifierType: '4' }],
      ['ResultURL', { ResultURL: 'nope' }], ['QueueTimeOutURL', { QueueTimeOutURL: '' }], ['Remarks', { Remarks: 'x'.repeat(101) }],
    ] as const) {
      expect(await raw('/mpesa/reversal/v1/request', { ...body, ...overrides }), field).toEqual({ status: 400, body: badRequest(field) })
    }
    expect(await raw('/mpesa/reversal/v1/request', body)).toMatchObject({ status: 200, body: { ResponseCode: '0', ResponseDescription: 'Accept the service request successfully.' } })
  })
})
