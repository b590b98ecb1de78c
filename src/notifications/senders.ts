/**
 * The message ports, side by side: email (Resend) and WhatsApp (WAHA), and the dev outbox that stands
 * in for both when neither is configured. Only the dispatcher (dispatcher.ts) calls a sender: every
 * producer writes a notifications row instead (outbox.ts).
 */
import { createPacer, type Pacer } from './pace.ts'

export interface EmailAttachment {
  filename: string
  content: Uint8Array
}

export interface EmailMessage {
  to: string
  subject: string
  text: string
  html: string
  attachments?: EmailAttachment[]
  /** The notification id: a retry after a lost answer is the same email to the provider. */
  idempotencyKey: string
}

export interface WhatsAppMessage {
  /** 2547… (digits only). */
  to: string
  text: string
  /** Sent with sendFile after the text, when given. */
  file?: { filename: string; mimetype: string; data: Uint8Array }
}

/**
 * How one attempt ended. `retry` says what a failure allows: `yes` (nothing was delivered, or the
 * provider dedupes), `no` (the provider refused the message itself), `unknown` (the request may have
 * been delivered and the provider cannot dedupe: resending could send a second copy).
 */
export type SendOutcome =
  | { ok: true; providerId: string }
  | { ok: false; error: string; retry: 'yes' | 'no' | 'unknown'; retryAfterMs?: number }

export interface EmailSender {
  readonly name: 'resend' | 'outbox'
  send(message: EmailMessage): Promise<SendOutcome>
  /** Up to 100 emails without attachments in one request (reminders); one outcome per email, in order. */
  sendBatch(messages: EmailMessage[]): Promise<SendOutcome[]>
}

export interface WhatsAppSender {
  readonly name: 'waha' | 'outbox'
  send(message: WhatsAppMessage): Promise<SendOutcome>
}

export interface MessageSenders {
  email: EmailSender
  whatsapp: WhatsAppSender
  /** Per-channel send rate (Resend's team limit; WAHA's ban-avoiding pace with jitter). */
  pace: { email: Pacer; whatsapp: Pacer }
  /** False when NOTIFICATIONS=off: rows stay pending, nothing is sent. */
  enabled: boolean
}

/** Development and tests: nothing leaves the machine; the row is what /dev/outbox shows. */
export const outboxEmailSender: EmailSender = {
  name: 'outbox',
  send: async (message) => ({ ok: true, providerId: `outbox_${message.idempotencyKey}` }),
  sendBatch: async (messages) => messages.map((message) => ({ ok: true, providerId: `outbox_${message.idempotencyKey}` })),
}

export const outboxWhatsAppSender: WhatsAppSender = {
  name: 'outbox',
  send: async () => ({ ok: true, providerId: `outbox_${crypto.randomUUID()}` }),
}

/** The dev outbox for both channels, unpaced. */
export function outboxSenders(): MessageSenders {
  return {
    email: outboxEmailSender, whatsapp: outboxWhatsAppSender, enabled: true,
    pace: { email: createPacer({ intervalMs: 0 }), whatsapp: createPacer({ intervalMs: 0 }) },
  }
}

export const OUTBOX_SENDERS: MessageSenders = outboxSenders()
