/**
 * Which senders deliver messages, from the environment: Resend when RESEND_API_KEY and EMAIL_FROM are
 * set, WAHA when WAHA_URL is; the dev outbox for a channel that has neither. Production refuses to
 * start with no real sender at all, unless NOTIFICATIONS=off says that no message is meant to leave.
 */
import { envText, type AppMode, type EnvVars } from '../config.ts'
import type { FetchFn } from '../lib/fetch.ts'
import { createPacer } from './pace.ts'
import { resendSender } from './resend-sender.ts'
import { outboxEmailSender, outboxWhatsAppSender, type MessageSenders } from './senders.ts'
import { wahaSender } from './waha-sender.ts'

/** Webhook secrets: provider feedback (delivered, bounced, read) is refused without them. */
export interface NotificationWebhookSecrets {
  /** whsec_… (Resend's Svix signing secret). */
  resend?: string
  /** WAHA's HMAC key (X-Webhook-Hmac, SHA-512). */
  waha?: string
}

function positive(vars: EnvVars, name: string, fallback: number): number {
  const text = envText(vars, name)
  if (text === undefined) return fallback
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new Error(`${name} must be a whole number of at least 1 (got "${text}")`)
  return Number(text)
}

export function notificationSendersFromEnv(vars: EnvVars, mode: AppMode, options: { fetch?: FetchFn } = {}): MessageSenders {
  const switchedOff = envText(vars, 'NOTIFICATIONS') === 'off'
  const apiKey = envText(vars, 'RESEND_API_KEY')
  const from = envText(vars, 'EMAIL_FROM')
  if (apiKey && !from) throw new Error('EMAIL_FROM must be set with RESEND_API_KEY (e.g. EMAIL_FROM="Tikiti <tickets@tikiti.example>")')
  const wahaUrl = envText(vars, 'WAHA_URL')
  if (mode === 'production' && !switchedOff && !apiKey && !wahaUrl) {
    throw new Error('No message sender is configured: set RESEND_API_KEY and EMAIL_FROM (email) and/or WAHA_URL (WhatsApp), ' +
      'or NOTIFICATIONS=off to run without sending any message')
  }
  const perSecond = positive(vars, 'RESEND_MAX_PER_SECOND', 2)
  const perMinute = positive(vars, 'WAHA_MAX_PER_MINUTE', 20)
  return {
    enabled: !switchedOff,
    email: apiKey && from ? resendSender({ apiKey, from, baseUrl: envText(vars, 'RESEND_BASE_URL'), maxPerSecond: perSecond }) : outboxEmailSender,
    whatsapp: wahaUrl
      ? wahaSender({ url: wahaUrl, apiKey: envText(vars, 'WAHA_API_KEY'), session: envText(vars, 'WAHA_SESSION') ?? 'default', maxPerMinute: perMinute, fetch: options.fetch })
      : outboxWhatsAppSender,
    pace: {
      email: createPacer({ intervalMs: apiKey ? 1000 / perSecond : 0 }),
      whatsapp: createPacer({ intervalMs: wahaUrl ? 60_000 / perMinute : 0, jitter: 0.5 }),
    },
  }
}

export function notificationWebhookSecretsFromEnv(vars: EnvVars): NotificationWebhookSecrets {
  return { resend: envText(vars, 'RESEND_WEBHOOK_SECRET'), waha: envText(vars, 'WAHA_WEBHOOK_SECRET') }
}
