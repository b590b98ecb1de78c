/** A local stand-in for Daraja's OAuth endpoint: checks Basic credentials, answers like Daraja. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export async function startDarajaOAuthStandin(valid: { consumerKey: string; consumerSecret: string }) {
  let calls = 0
  const server = createServer((req, res) => {
    calls++
    const url = new URL(req.url ?? '/', 'http://localhost')
    const expected = `Basic ${Buffer.from(`${valid.consumerKey}:${valid.consumerSecret}`).toString('base64')}`
    if (url.pathname !== '/oauth/v1/generate' || url.searchParams.get('grant_type') !== 'client_credentials') {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: '400.008.02', errorMessage: 'Invalid grant type passed' }))
      return
    }
    if (req.headers.authorization !== expected) {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ errorCode: '400.008.01', errorMessage: 'Invalid Authentication passed' }))
      return
    }
    // live Daraja sends expires_in as a string
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'standin-token', expires_in: '3599' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    get calls() {
      return calls
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
