/**
 * Daraja B2C through the real client against the simulator: the request Daraja expects, its
 * acknowledgement, the result with its ResultParameters, the test phones' refusals and queue timeouts,
 * duplicates refused, and every field checked as Daraja checks it.
 */
import { describe, expect, it } from 'vitest'
import type { FetchFn } from '../../src/lib/fetch.ts'
import { createDarajaClient, DarajaError, type DarajaCredentials } from '../../src/payments/daraja-client.ts'
import { fetchDarajaToken } from '../../src/payments/daraja-oauth.ts'
import { B2C_PHONES, createDarajaSimulator } from '../../src/payments/simulator/daraja-simulator.ts'

const BASE = 'http://daraja.local'
const credentials: DarajaCredentials = {
  consumerKey: 'ck_sim', consumerSecret: 'cs_sim', shortcode: '174379', passkey: 'x', accountType: 'paybill',
  initiatorName: 'testapi', securityCredential: 'ZW5jcnlwdGVkLXBhc3N3b3Jk', b2cShortcode: '600000',
}
const RESULT = 'https://tikiti.example/payments/mpesa/b2c/p1/s3cret/result'
const TIMEOUT = 'https://tikiti.example/payments/mpesa/b2c/p1/s3cret/timeout'

function setup() {
  const delivered: Array<{ url: string; body: any }> = []
  const sim = createDarajaSimulator({ callbackDelayMs: 0, deliver: async (url, body) => { delivered.push({ url, body }) } })
  const fetchFn: FetchFn = async (input, init) => sim.app.fetch(new Request(input, init))
  const client = (overrides: Partial<DarajaCredentials> = {}) => createDarajaClient({ baseUrl: BASE, credentials: { ...credentials, ...overrides }, fetch: fetchFn })
  const pay = (phone: string, originatorConversationId = `oc-${Math.random().toString(36).slice(2)}`, amountMinor = 170_000) =>
    client().b2cPayment({ originatorConversationId, amountMinor, phone, resultUrl: RESULT, timeoutUrl: TIMEOUT, remarks: 'Tikiti resale payout' })
  async function raw(body: Record<string, unknown>) {
    const { accessToken } = await fetchDarajaToken(BASE, { consumerKey: 'raw', consumerSecret: 'raw' }, fetchFn)
    const res = await sim.app.request('/mpesa/b2c/v3/paymentrequest', {
      method: 'POST', headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() as any }
  }
  return { sim, delivered, client, pay, raw }
}

describe('the simulator\'s B2C', () => {
  it('acknowledges a payment and posts its result with the receipt, amount and completion time', async () => {
    const { sim, delivered, pay } = setup()
    const accepted = await pay('254711222333', 'oc-first')
    expect(accepted.originatorConversationId).toBe('oc-first')
    expect(accepted.conversationId).toMatch(/^AG_\d{8}_[0-9a-f]{20}$/)
    await sim.settle()
    expect(delivered).toHaveLength(1)
    const { url, body } = delivered[0]!
    expect(url).toBe(RESULT)
    expect(body.Result).toMatchObject({ ResultType: 0, ResultCode: 0, OriginatorConversationID: 'oc-first', ConversationID: accepted.conversationId })
    const params = new Map(body.Result.ResultParameters.ResultParameter.map((p: { Key: string; Value: unknown }) => [p.Key, p.Value]))
    expect(params.get('TransactionAmount')).toBe(1700)
    expect(params.get('TransactionReceipt')).toMatch(/^[A-Z][A-Z0-9]{9}$/)
    expect(params.get('TransactionReceipt')).toBe(body.Result.TransactionID)
    expect(params.get('TransactionCompletedDateTime')).toMatch(/^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}:\d{2}$/)
    expect(sim.state.b2cPayments[0]).toMatchObject({ partyA: '600000', partyB: '254711222333', amount: 1700, commandId: 'BusinessPayment', status: 'paid' })
  })

  it('refuses the refusing test phone in its result, and times the timeout phones out', async () => {
    const { sim, delivered, pay } = setup()
    await pay(B2C_PHONES.refused)
    await pay(B2C_PHONES.timeoutThenPaid, 'oc-again')
    await pay(B2C_PHONES.timeoutLateSuccess, 'oc-late')
    await sim.settle()
    const refusal = delivered.find((d) => d.body.Result.OriginatorConversationID !== 'oc-again' && d.body.Result.OriginatorConversationID !== 'oc-late')!
    expect(refusal.body.Result).toMatchObject({ ResultCode: 2040 })
    expect(delivered.filter((d) => d.body.Result.OriginatorConversationID === 'oc-again').map((d) => d.url)).toEqual([TIMEOUT])
    expect(delivered.filter((d) => d.body.Result.OriginatorConversationID === 'oc-late').map((d) => [d.url, d.body.Result.ResultCode])).toEqual([[TIMEOUT, 1], [RESULT, 0]])
    // the timed-out request sent again is paid; one processed already is refused as a duplicate
    await pay(B2C_PHONES.timeoutThenPaid, 'oc-again')
    await sim.settle()
    expect(sim.state.b2cPayments.filter((p) => p.originatorConversationId === 'oc-again').map((p) => p.status)).toEqual(['timed_out', 'paid'])
    await expect(pay(B2C_PHONES.timeoutLateSuccess, 'oc-late')).rejects.toMatchObject({ errorCode: '400.002.02', message: expect.stringMatching(/Duplicate/) })
    await expect(pay('254711222333', 'oc-again')).rejects.toBeInstanceOf(DarajaError)
  })

  it('refuses without initiator credentials, before calling Daraja, and amounts B2C cannot carry', async () => {
    const { sim, client } = setup()
    const request = { originatorConversationId: 'oc-x', amountMinor: 170_000, phone: '254711222333', resultUrl: RESULT, timeoutUrl: TIMEOUT, remarks: 'Payout' }
    await expect(client({ initiatorName: undefined }).b2cPayment(request)).rejects.toMatchObject({ errorCode: 'no_initiator' })
    await expect(client({ b2cShortcode: undefined }).b2cPayment(request)).rejects.toMatchObject({ errorCode: 'no_b2c_shortcode' })
    await expect(client().b2cPayment({ ...request, amountMinor: 900 })).rejects.toBeInstanceOf(RangeError)
    await expect(client().b2cPayment({ ...request, amountMinor: 170_050 })).rejects.toBeInstanceOf(RangeError)
    await expect(client().b2cPayment({ ...request, remarks: 'x' })).rejects.toBeInstanceOf(RangeError)
    expect(sim.state.b2cPayments).toEqual([])
  })

  it('checks every field as Daraja does', async () => {
    const { sim, raw } = setup()
    const good = {
      OriginatorConversationID: 'oc-raw', InitiatorName: 'testapi', SecurityCredential: 'c2Vj', CommandID: 'BusinessPayment', Amount: 100,
      PartyA: '600000', PartyB: '254711222333', Remarks: 'Payout', QueueTimeOutURL: TIMEOUT, ResultURL: RESULT, Occassion: '',
    }
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ OriginatorConversationID: '' }, 'OriginatorConversationID'], [{ InitiatorName: ' ' }, 'InitiatorName'],
      [{ SecurityCredential: undefined }, 'SecurityCredential'], [{ CommandID: 'TransactionReversal' }, 'CommandID'],
      [{ Amount: 9 }, 'Amount'], [{ Amount: 250_001 }, 'Amount'], [{ Amount: 10.5 }, 'Amount'], [{ PartyA: 'abc' }, 'PartyA'],
      [{ PartyB: '0711222333' }, 'PartyB'], [{ Remarks: 'x' }, 'Remarks'], [{ Remarks: 'x'.repeat(101) }, 'Remarks'],
      [{ QueueTimeOutURL: 'javascript:alert(1)' }, 'QueueTimeOutURL'], [{ ResultURL: 'nope' }, 'ResultURL'], [{ Occassion: 'o'.repeat(101) }, 'Occassion'],
    ]
    for (const [change, field] of cases) {
      const answer = await raw({ ...good, ...change })
      expect(answer, field).toMatchObject({ status: 400, body: { errorCode: '400.002.02', errorMessage: `Bad Request - Invalid ${field}` } })
    }
    // the paybill that takes STK payments is no B2C shortcode, nor is one nobody registered
    expect(await raw({ ...good, PartyA: '174379' })).toMatchObject({ status: 500, body: { errorCode: '500.001.1001' } })
    expect(await raw({ ...good, PartyA: '600999' })).toMatchObject({ status: 500, body: { errorCode: '500.001.1001' } })
    expect(sim.state.b2cPayments).toEqual([])
    expect(await raw(good)).toMatchObject({ status: 200, body: { ResponseCode: '0', OriginatorConversationID: 'oc-raw' } })
  })
})
