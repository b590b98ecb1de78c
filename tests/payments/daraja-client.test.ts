import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDarajaClient, darajaPassword, darajaTimestamp, DarajaError, wholeShillings } from '../../src/payments/daraja-client.ts'
import { startDarajaStandin } from '../support/daraja-standin.ts'

const credentials = {
  consumerKey: 'ck_test', consumerSecret: 'cs_test', shortcode: '174379', accountType: 'paybill' as const,
  passkey: 'bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919',
}
let daraja: Awaited<ReturnType<typeof startDarajaStandin>>

beforeAll(async () => {
  daraja = await startDarajaStandin(credentials)
})
afterAll(() => daraja.close())

const push = { amountMinor: 300_000, phone: '254708374149', callbackUrl: 'https://tikiti.example/payments/callback/x',
  accountReference: 'NAIROBIJAZZNIGHT', description: 'Tickets for Nairobi Jazz Night' }

describe('the Daraja client', () => {
  it('builds the password and East Africa Time timestamp as Daraja requires', () => {
    const timestamp = darajaTimestamp(new Date('2026-11-24T09:05:07Z'))
    expect(timestamp).toBe('20261124120507')
    expect(darajaPassword('174379', credentials.passkey, timestamp))
      .toBe(Buffer.from(`174379${credentials.passkey}20261124120507`).toString('base64'))
  })

  it('sends an STK Push in whole shillings, with AccountReference ≤ 12 and TransactionDesc ≤ 13 characters', async () => {
    const client = createDarajaClient({ baseUrl: daraja.baseUrl, credentials })
    const accepted = await client.stkPush(push)
    expect(accepted.checkoutRequestId).toMatch(/^ws_CO_/)
    const sent = daraja.state.pushes.at(-1)!
    expect(sent).toMatchObject({ Amount: 3000, TransactionType: 'CustomerPayBillOnline', PartyB: '174379',
      AccountReference: 'NAIROBIJAZZN', TransactionDesc: 'Tickets for N' })
    const till = createDarajaClient({ baseUrl: daraja.baseUrl, credentials: { ...credentials, accountType: 'till' } })
    await till.stkPush(push)
    expect(daraja.state.pushes.at(-1)!.TransactionType).toBe('CustomerBuyGoodsOnline')
  })

  it('refuses amounts M-Pesa cannot take', () => {
    expect(() => wholeShillings(150_050)).toThrow(RangeError)
    expect(() => wholeShillings(0)).toThrow(RangeError)
    expect(() => wholeShillings(25_000_100)).toThrow(RangeError)
    expect(wholeShillings(100)).toBe(1)
  })

  it('fetches one token for many calls, never two at once, and refreshes a minute before expiry', async () => {
    let now = new Date('2026-11-24T09:00:00Z')
    daraja.state.oauthDelayMs = 50
    const before = daraja.state.oauthCalls
    const client = createDarajaClient({ baseUrl: daraja.baseUrl, credentials, now: () => now })
    await Promise.all(Array.from({ length: 10 }, () => client.stkPush(push)))
    expect(daraja.state.oauthCalls - before).toBe(1)
    now = new Date(now.getTime() + (3599 - 61) * 1000)
    await client.stkPush(push)
    expect(daraja.state.oauthCalls - before).toBe(1)
    now = new Date(now.getTime() + 2000)
    await client.stkPush(push)
    expect(daraja.state.oauthCalls - before).toBe(2)
    daraja.state.oauthDelayMs = 0
  })

  it('gets a fresh token once when Daraja says the token is no longer valid', async () => {
    const client = createDarajaClient({ baseUrl: daraja.baseUrl, credentials })
    await client.stkPush(push)
    const before = daraja.state.oauthCalls
    daraja.state.invalidateNextToken = true
    await client.stkPush(push)
    expect(daraja.state.oauthCalls - before).toBe(1)
  })

  it('turns Daraja error bodies into typed errors', async () => {
    const client = createDarajaClient({ baseUrl: daraja.baseUrl, credentials: { ...credentials, passkey: 'wrong' } })
    const failure = await client.stkPush(push).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(DarajaError)
    expect(failure).toMatchObject({ httpStatus: 400, errorCode: '400.002.02', message: 'Bad Request - Invalid Password' })
    const badPhone = await createDarajaClient({ baseUrl: daraja.baseUrl, credentials }).stkPush({ ...push, phone: '0712345678' }).catch((e: unknown) => e)
    expect(badPhone).toMatchObject({ errorCode: '400.002.02' })
    const down = await createDarajaClient({ baseUrl: 'http://127.0.0.1:1', credentials }).stkPush(push).catch((e: unknown) => e)
    expect((down as Error).name).toBe('DarajaAuthError')
  })

  it('reads STK Query: "being processed" is pending, and ResultCode comes as a string', async () => {
    const client = createDarajaClient({ baseUrl: daraja.baseUrl, credentials })
    expect(await client.stkQuery('ws_CO_1')).toEqual({ state: 'pending' })
    daraja.state.queryAnswers.push({ status: 200, body: { ResponseCode: '0', ResultCode: '1032', ResultDesc: 'Request cancelled by user' } })
    expect(await client.stkQuery('ws_CO_1')).toEqual({ state: 'done', resultCode: 1032, resultDesc: 'Request cancelled by user' })
  })
})
