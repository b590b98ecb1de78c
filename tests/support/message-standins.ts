/**
 * Local capture servers for the two message providers, answering as the real ones do
 * (/work specs: Resend's emails API with Idempotency-Key, WAHA's sendText/sendFile with X-Api-Key).
 * Faults are queued per test: the next requests get them, in order, before normal answers resume.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type Fault =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Accept the request (as if it went through) but never answer: a lost answer. */
  | { hang: true }

export interface CapturedRequest {
  method: string
  path: string
  headers: Record<string, string | string[] | undefined>
  body: unknown
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const text = Buffer.concat(chunks).toString('utf8')
  try {
    return text ? JSON.parse(text) : undefined
  } catch {
    return text
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body))
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const open = new Set<ServerResponse>()
  const server = createServer((req, res) => {
    open.add(res)
    res.on('close', () => open.delete(res))
    handler(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const res of open) res.destroy()
      server.closeAllConnections?.()
      server.close(() => resolve())
    }),
  }
}

/** Resend: POST /emails and /emails/batch; Bearer key checked; one email per Idempotency-Key (24 h in Resend). */
export async function startResendStandin(apiKey = 're_test_key') {
  const requests: CapturedRequest[] = []
  const accepted: { id: string; key: string | undefined; body: Record<string, unknown> }[] = []
  const byKey = new Map<string, string>()
  const faults: Fault[] = []
  const listening = await listen(async (req, res) => {
    const body = await readBody(req)
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requests.push({ method: req.method ?? '', path, headers: req.headers, body })
    const auth = req.headers.authorization
    if (!auth) return json(res, 401, { statusCode: 401, name: 'missing_api_key', message: 'Missing API key in the authorization header.' })
    if (auth !== `Bearer ${apiKey}`) return json(res, 403, { statusCode: 403, name: 'invalid_api_key', message: 'API key is invalid.' })
    const key = req.headers['idempotency-key'] as string | undefined
    const fault = faults.shift()
    const accept = (email: Record<string, unknown>, emailKey: string | undefined) => {
      const known = emailKey ? byKey.get(emailKey) : undefined
      if (known) return known
      const id = `em_${accepted.length + 1}_${Math.random().toString(36).slice(2, 8)}`
      accepted.push({ id, key: emailKey, body: email })
      if (emailKey) byKey.set(emailKey, id)
      return id
    }
    if (fault && 'hang' in fault) {
      // it went through at Resend; only the answer is lost
      if (path === '/emails') accept(body as Record<string, unknown>, key)
      return
    }
    if (fault) return json(res, fault.status, fault.body ?? { statusCode: fault.status, name: 'application_error', message: 'fault' }, fault.headers)
    if (req.method === 'POST' && path === '/emails') {
      const email = body as Record<string, unknown>
      if (!email?.to || !email.from || !email.subject) return json(res, 422, { statusCode: 422, name: 'validation_error', message: 'Missing `to` field.' })
      return json(res, 200, { id: accept(email, key) })
    }
    if (req.method === 'POST' && path === '/emails/batch') {
      const emails = body as Record<string, unknown>[]
      if (!Array.isArray(emails) || emails.length > 100 || emails.some((email) => 'attachments' in email)) {
        return json(res, 422, { statusCode: 422, name: 'validation_error', message: 'batch: at most 100 emails, no attachments' })
      }
      const batchKey = key
      const known = batchKey ? byKey.get(batchKey) : undefined
      if (known) return json(res, 200, { data: JSON.parse(known) })
      const data = emails.map((email) => ({ id: accept(email, undefined) }))
      if (batchKey) byKey.set(batchKey, JSON.stringify(data))
      return json(res, 200, { data })
    }
    json(res, 404, { statusCode: 404, name: 'not_found', message: 'not found' })
  })
  return { ...listening, requests, accepted, fail: (...next: Fault[]) => faults.push(...next) }
}

/** WAHA: session state, sendText, sendFile; X-Api-Key checked. */
export async function startWahaStandin(apiKey = 'waha-test-key', session = 'default') {
  const requests: CapturedRequest[] = []
  const sent: { path: string; body: Record<string, unknown>; id: string }[] = []
  const faults: Fault[] = []
  let status = 'WORKING'
  const listening = await listen(async (req, res) => {
    const body = await readBody(req)
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requests.push({ method: req.method ?? '', path, headers: req.headers, body })
    if (req.headers['x-api-key'] !== apiKey) return json(res, 401, { message: 'Unauthorized' })
    if (req.method === 'GET' && path === `/api/sessions/${session}`) return json(res, 200, { name: session, status })
    if (req.method === 'POST' && (path === '/api/sendText' || path === '/api/sendFile')) {
      const fault = faults.shift()
      const record = () => {
        const id = `true_${(body as { chatId?: string }).chatId}_${Math.random().toString(36).slice(2, 10).toUpperCase()}`
        sent.push({ path, body: body as Record<string, unknown>, id })
        return id
      }
      if (fault && 'hang' in fault) {
        record() // delivered to the phone; the answer never comes back
        return
      }
      if (fault) return json(res, fault.status, fault.body ?? { message: 'fault' }, fault.headers)
      if (status !== 'WORKING') return json(res, 422, { message: `Session status is not as expected: ${status}` })
      return json(res, 201, { id: { fromMe: true, _serialized: record() }, body: (body as { text?: string }).text })
    }
    json(res, 404, { message: 'not found' })
  })
  return {
    ...listening, requests, sent,
    fail: (...next: Fault[]) => faults.push(...next),
    setStatus: (next: string) => { status = next },
  }
}
