/**
 * Provider feedback. Resend signs its webhooks the Svix way (HMAC-SHA256 over "id.timestamp.body", keyed
 * by the base64 part of whsec_…); WAHA adds X-Webhook-Hmac, the SHA-512 HMAC of the raw body. A
 * delivery that does not verify changes nothing; one older than five minutes is a replay and is
 * refused; a repeat within that window changes nothing more (a status only moves forward).
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { base64, constantTimeEqualText, fromBase64, hmacSha512Hex } from '../lib/crypto.ts'
import { applyProviderFeedback } from './notification-queries.ts'

export const WEBHOOK_TOLERANCE_MS = 5 * 60_000

export interface SvixHeaders {
  id?: string
  timestamp?: string
  signature?: string
}

/** True when one of the `v1,<base64>` signatures matches and the timestamp is within five minutes of now. */
export async function verifySvix(secret: string, headers: SvixHeaders, rawBody: string, now: Date): Promise<boolean> {
  const { id, timestamp, signature } = headers
  if (!id || !timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false
  if (Math.abs(now.getTime() - Number(timestamp) * 1000) > WEBHOOK_TOLERANCE_MS) return false
  let key: CryptoKey
  try {
    key = await crypto.subtle.importKey('raw', fromBase64(secret.replace(/^whsec_/, '')), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  } catch {
    return false
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${rawBody}`)))
  const expected = base64(mac)
  return signature.split(' ').some((entry) => {
    const [version, value] = entry.split(',')
    return version === 'v1' && value !== undefined && constantTimeEqualText(value, expected)
  })
}

/**
 * WAHA's HMAC (hex SHA-512 of the raw body). The X-Webhook-Timestamp header is not covered by the HMAC, so
 * a captured body could be sent again under a fresh header: the body's own `timestamp` (WAHA puts the
 * event's time there, in milliseconds) is signed, and when present it must be recent too.
 */
export async function verifyWahaHmac(secret: string, hmac: string | undefined, timestamp: string | undefined, rawBody: string, now: Date) {
  if (!hmac) return false
  if (timestamp !== undefined && !isRecent(Number(timestamp), now)) return false
  if (!constantTimeEqualText(hmac.toLowerCase(), await hmacSha512Hex(secret, rawBody))) return false
  const signedTime = signedTimestampOf(rawBody)
  return signedTime === undefined || isRecent(signedTime, now)
}

/** Within five minutes of now; WAHA sends milliseconds, seconds are accepted too. */
function isRecent(value: number, now: Date): boolean {
  const ms = value > 1e12 ? value : value * 1000
  return Number.isFinite(value) && Math.abs(now.getTime() - ms) <= WEBHOOK_TOLERANCE_MS
}

function signedTimestampOf(rawBody: string): number | undefined {
  try {
    const value = (JSON.parse(rawBody) as { timestamp?: unknown } | null)?.timestamp
    return typeof value === 'number' ? value : undefined
  } catch {
    return undefined
  }
}

/** Applies a verified Resend event; returns how many messages it changed. */
export async function applyResendEvent(db: Database, event: unknown, now: Date): Promise<number> {
  const { type, data } = (event ?? {}) as { type?: unknown; data?: { email_id?: unknown; bounce?: { message?: unknown } } }
  const emailId = typeof data?.email_id === 'string' ? data.email_id : undefined
  if (!emailId) return 0
  const change = type === 'email.delivered' ? { delivered: true }
    : type === 'email.bounced' ? { status: 'bounced' as const, error: `bounced: ${String(data?.bounce?.message ?? 'the address refused the email')}` }
    : type === 'email.complained' ? { status: 'bounced' as const, error: 'complained: the recipient reported it as spam' }
    : type === 'email.failed' ? { status: 'failed' as const, error: 'failed at Resend' }
    : undefined
  if (!change) return 0
  return withContext(db, SYSTEM, (trx) => applyProviderFeedback(trx, { emailId }, change, now))
}

/** Applies a verified WAHA event (message.ack); other events change nothing. */
export async function applyWahaEvent(db: Database, event: unknown, now: Date): Promise<number> {
  const { event: kind, payload } = (event ?? {}) as { event?: unknown; payload?: { id?: unknown; ack?: unknown } }
  if (kind !== 'message.ack') return 0
  const rawId = payload?.id
  const whatsappId = typeof rawId === 'string' ? rawId : (rawId as { _serialized?: unknown } | undefined)?._serialized
  if (typeof whatsappId !== 'string' || typeof payload?.ack !== 'number') return 0
  const change = payload.ack === -1 ? { status: 'failed' as const, error: 'WhatsApp reported an error delivering it' }
    : payload.ack >= 2 ? { delivered: true }
    : undefined
  if (!change) return 0
  return withContext(db, SYSTEM, (trx) => applyProviderFeedback(trx, { whatsappId }, change, now))
}
