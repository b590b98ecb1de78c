/**
 * Email through Resend's SDK. Every send carries Idempotency-Key = the notification id, so a retry after
 * a lost answer (timeout, 500) is the same email to Resend and is delivered once. The SDK never throws:
 * it answers `{ data, error, headers }`, which maps to a SendOutcome here.
 */
import { Resend } from 'resend'
import { base64 } from '../lib/crypto.ts'
import type { EmailMessage, EmailSender, SendOutcome } from './senders.ts'

export interface ResendConfig {
  apiKey: string
  from: string
  /** Resend's API (default: Resend's own); tests point it at a capture server. Passed explicitly: Workers have no process.env. */
  baseUrl?: string
  /** RESEND_MAX_PER_SECOND, default 2 (Resend's default team limit). */
  maxPerSecond: number
  timeoutMs?: number
}

interface ResendError {
  name?: string
  statusCode?: number | null
  message?: string
}

/** Seconds (or an HTTP date) in retry-after, as ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined | null, now = Date.now()): number | undefined {
  if (!value) return undefined
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** What a Resend error allows. Only a refusal of the message itself (validation) is final. */
function failure(error: ResendError, headers: Record<string, string> | null): SendOutcome {
  const status = error.statusCode ?? null
  const text = `resend ${status ?? 'unreachable'} ${error.name ?? 'error'}: ${error.message ?? ''}`.slice(0, 300)
  if (status === 429 || error.name === 'rate_limit_exceeded') {
    return { ok: false, error: text, retry: 'yes', retryAfterMs: retryAfterMs(headers?.['retry-after']) ?? 1000 }
  }
  // another request with this key is still in flight at Resend: it will settle, ask again shortly
  if (status === 409 && error.name === 'concurrent_idempotent_requests') return { ok: false, error: text, retry: 'yes', retryAfterMs: 1000 }
  // 401/403: the key is missing or wrong; an operator fixes it and the backoff carries the message through
  if (status === null || status >= 500 || status === 401 || status === 403) return { ok: false, error: text, retry: 'yes' }
  return { ok: false, error: text, retry: 'no' }
}

export function resendSender(config: ResendConfig): EmailSender {
  const client = new Resend(config.apiKey, { baseUrl: config.baseUrl })
  const timeoutMs = config.timeoutMs ?? 15_000
  const payload = (message: EmailMessage) => ({
    from: config.from, to: [message.to], subject: message.subject, text: message.text, html: message.html,
    ...(message.attachments?.length
      ? { attachments: message.attachments.map((file) => ({ filename: file.filename, content: base64(file.content) })) }
      : {}),
  })
  return {
    name: 'resend',
    async send(message) {
      const { data, error, headers } = await client.emails.send(payload(message), {
        idempotencyKey: message.idempotencyKey,
        // a hung connection becomes a retry; the idempotency key makes the retry harmless
        signal: AbortSignal.timeout(timeoutMs),
      } as Parameters<typeof client.emails.send>[1])
      if (error || !data) return failure(error ?? {}, headers)
      return { ok: true, providerId: data.id }
    },
    async sendBatch(messages) {
      if (messages.length === 0) return []
      // the batch endpoint takes no attachments; one key for the batch, made of its notification ids
      const { data, error, headers } = await client.batch.send(messages.map(payload), {
        idempotencyKey: `batch-${await batchKey(messages)}`,
        signal: AbortSignal.timeout(timeoutMs),
      } as Parameters<typeof client.batch.send>[1])
      if (error || !data) {
        const outcome = failure(error ?? {}, headers)
        // no answer: the batch may have gone through, and a retry would be another batch with another key
        const unknown: SendOutcome = { ok: false, error: outcome.ok ? '' : outcome.error, retry: 'unknown' }
        return messages.map(() => (error?.statusCode == null ? unknown : outcome))
      }
      const ids = (data as { data?: { id: string }[] }).data ?? []
      return messages.map((_, i): SendOutcome => ids[i]?.id
        ? { ok: true, providerId: ids[i]!.id }
        : { ok: false, error: 'resend batch: no id for this email', retry: 'yes' })
    },
  }
}

async function batchKey(messages: EmailMessage[]): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(messages.map((m) => m.idempotencyKey).join(',')))
  return [...new Uint8Array(digest)].slice(0, 24).map((b) => b.toString(16).padStart(2, '0')).join('')
}
