/**
 * A local stand-in for Daraja's OAuth, STK Push and STK Query, validating requests as Daraja does
 * (password = base64(shortcode + passkey + timestamp), field limits) and answering in its shapes.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface StandinOptions {
  consumerKey: string
  consumerSecret: string
  shortcode: string
  passkey: string
}

export async function startDarajaStandin(options: StandinOptions) {
  const state = {
    oauthCalls: 0,
    pushes: [] as Array<Record<string, unknown>>,
    tokens: new Set<string>(),
    expiresIn: '3599',
    oauthDelayMs: 0,
    /** The next API call answers 404.001.03 (a newer token invalidated this one). */
    invalidateNextToken: false,
    queryAnswers: [] as Array<{ status: number; body: unknown }>,
  }
  const reply = (res: import('node:http').ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
  const error = (res: import('node:http').ServerResponse, status: number, errorCode: string, errorMessage: string) =>
    reply(res, status, { requestId: crypto.randomUUID(), errorCode, errorMessage })

  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://localhost')
      if (url.pathname === '/oauth/v1/generate') {
        state.oauthCalls++
        await new Promise((resolve) => setTimeout(resolve, state.oauthDelayMs))
        const expected = `Basic ${Buffer.from(`${options.consumerKey}:${options.consumerSecret}`).toString('base64')}`
        if (req.headers.authorization !== expected) return error(res, 400, '400.008.01', 'Invalid Authentication passed')
        const token = `tok_${state.oauthCalls}`
        state.tokens.add(token)
        return reply(res, 200, { access_token: token, expires_in: state.expiresIn })
      }
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      if (!bearer || !state.tokens.has(bearer) || state.invalidateNextToken) {
        state.invalidateNextToken = false
        if (bearer) state.tokens.delete(bearer)
        return error(res, 404, '404.001.03', 'Invalid Access Token')
      }
      const body = JSON.parse(raw || '{}') as Record<string, unknown>
      const password = Buffer.from(`${options.shortcode}${options.passkey}${body.Timestamp}`).toString('base64')
      if (body.BusinessShortCode !== options.shortcode || body.Password !== password || !/^\d{14}$/.test(String(body.Timestamp))) {
        return error(res, 400, '400.002.02', 'Bad Request - Invalid Password')
      }
      if (url.pathname === '/mpesa/stkpush/v1/processrequest') {
        const amount = body.Amount
        if (!Number.isInteger(amount) || (amount as number) < 1 || (amount as number) > 250_000) return error(res, 400, '400.002.02', 'Bad Request - Invalid Amount')
        if (!/^254[17]\d{8}$/.test(String(body.PhoneNumber)) || body.PartyA !== body.PhoneNumber) return error(res, 400, '400.002.02', 'Bad Request - Invalid PhoneNumber')
        if (String(body.AccountReference).length > 12 || String(body.TransactionDesc).length > 13) return error(res, 400, '400.002.02', 'Bad Request - Invalid AccountReference')
        if (!['CustomerPayBillOnline', 'CustomerBuyGoodsOnline'].includes(String(body.TransactionType))) return error(res, 400, '400.002.02', 'Bad Request - Invalid TransactionType')
        state.pushes.push(body)
        return reply(res, 200, {
          MerchantRequestID: `mr_${state.pushes.length}`, CheckoutRequestID: `ws_CO_${state.pushes.length}`,
          ResponseCode: '0', ResponseDescription: 'Success. Request accepted for processing', CustomerMessage: 'Success. Request accepted for processing',
        })
      }
      if (url.pathname === '/mpesa/stkpushquery/v1/query') {
        const next = state.queryAnswers.shift() ?? { status: 500, body: { errorCode: '500.001.1001', errorMessage: 'The transaction is being processed' } }
        return reply(res, next.status, next.body)
      }
      return error(res, 404, '404.001.01', 'Resource not found')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
