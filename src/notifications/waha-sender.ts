/**
 * WhatsApp through WAHA's HTTP API (X-Api-Key). WAHA cannot dedupe, so the session is checked first
 * (a GET that sends nothing): when WAHA is unreachable or the session is not WORKING, the message is
 * plainly not sent and may be retried. Once the send request itself has gone out, a lost answer is
 * `retry: unknown`: resending could deliver a second copy, so the dispatcher does not.
 */
import { base64 } from '../lib/crypto.ts'
import { webFetch, type FetchFn } from '../lib/fetch.ts'
import type { SendOutcome, WhatsAppMessage, WhatsAppSender } from './senders.ts'

export interface WahaConfig {
  url: string
  apiKey?: string
  session: string
  /** WAHA_MAX_PER_MINUTE, default 20: spaced out with jitter, never a burst. */
  maxPerMinute: number
  timeoutMs?: number
  fetch?: FetchFn
}

const SESSION_CACHE_MS = 30_000

export function wahaSender(config: WahaConfig): WhatsAppSender {
  const fetchFn = config.fetch ?? webFetch
  const base = config.url.replace(/\/+$/, '')
  const timeoutMs = config.timeoutMs ?? 15_000
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...(config.apiKey ? { 'x-api-key': config.apiKey } : {}) }
  let working: { until: number } | undefined

  async function sessionState(): Promise<SendOutcome | undefined> {
    if (working && working.until > Date.now()) return undefined
    let response: Response
    try {
      response = await fetchFn(`${base}/api/sessions/${encodeURIComponent(config.session)}`, { headers, signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      return { ok: false, error: `waha unreachable: ${String((error as Error)?.message ?? error)}`.slice(0, 300), retry: 'yes' }
    }
    if (!response.ok) return { ok: false, error: `waha session check ${response.status}`, retry: 'yes' }
    const status = String(((await response.json().catch(() => ({}))) as { status?: unknown }).status ?? 'unknown')
    if (status !== 'WORKING') return { ok: false, error: `waha session ${config.session} is ${status}, not WORKING`, retry: 'yes' }
    working = { until: Date.now() + SESSION_CACHE_MS }
    return undefined
  }

  async function post(path: string, body: unknown): Promise<SendOutcome> {
    let response: Response
    try {
      response = await fetchFn(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) })
    } catch (error) {
      working = undefined
      return { ok: false, error: `waha ${path} gave no answer: ${String((error as Error)?.message ?? error)}`.slice(0, 300), retry: 'unknown' }
    }
    if (!response.ok) {
      working = undefined
      const text = (await response.text().catch(() => '')).slice(0, 200)
      // an answer came: WAHA says it did not send (a 4xx other than auth refuses this message for good)
      const retry = response.status >= 500 || response.status === 401 || response.status === 429 ? 'yes' : 'no'
      return { ok: false, error: `waha ${path} ${response.status}: ${text}`, retry }
    }
    const sent = (await response.json().catch(() => ({}))) as { id?: unknown }
    const id = typeof sent.id === 'string' ? sent.id : (sent.id as { _serialized?: unknown } | undefined)?._serialized
    return { ok: true, providerId: typeof id === 'string' && id ? id : `waha_${crypto.randomUUID()}` }
  }

  return {
    name: 'waha',
    async send(message: WhatsAppMessage) {
      const refused = await sessionState()
      if (refused) return refused
      const chatId = `${message.to.replace(/\D/g, '')}@c.us`
      const text = await post('/api/sendText', { session: config.session, chatId, text: message.text })
      if (!text.ok || !message.file) return text
      // the text (with the link) is what matters; a file that fails afterwards is not worth a duplicate text
      await post('/api/sendFile', {
        session: config.session, chatId, caption: message.file.filename,
        file: { mimetype: message.file.mimetype, filename: message.file.filename, data: base64(message.file.data) },
      })
      return text
    },
  }
}
