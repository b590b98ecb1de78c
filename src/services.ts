/**
 * The outside services the app talks to, chosen by the runtime entry (real ones or local stand-ins) and
 * built once by createServices (app.ts). Requests read them as `c.var.services`; jobs and payments take
 * the part they need. Types only: services import this without importing the Hono environment.
 */
import type { Context } from 'hono'
import type { GoogleOAuthConfig } from './accounts/google-oauth.ts'
import type { QStashConfig } from './jobs/qstash.ts'
import type { Scheduler } from './jobs/scheduler.ts'
import type { KeyRing } from './lib/secret-box.ts'
import type { NotificationWebhookSecrets } from './notifications/sender-config.ts'
import type { MessageSenders } from './notifications/senders.ts'
import type { DarajaAccess } from './payments/daraja-access.ts'
import type { RateLimiter } from './ratelimit/rate-limiter.ts'
import type { BlobStore } from './storage/blob-store.ts'
import type { QueueStore } from './waitroom/queue-store.ts'

export interface AppServices {
  rateLimiter: RateLimiter
  /** Waiting-room queues in Redis when configured; absent: in the request's Postgres (src/waitroom/store-of.ts). */
  queueStore?: QueueStore
  senders: MessageSenders
  /** Where uploaded files' bytes live. */
  blobStore: BlobStore
  /** Keys for secrets at rest (M-Pesa credentials); absent until SECRETS_KEYS is set. */
  secretKeys?: KeyRing
  /** Work for later: the jobs table, or QStash when configured. */
  scheduler: Scheduler
  /** Present when QStash delivers jobs to /jobs/qstash. */
  qstash?: QStashConfig
  /** Signing secrets of the providers' delivery webhooks (RESEND_WEBHOOK_SECRET, WAHA_WEBHOOK_SECRET). */
  webhookSecrets?: NotificationWebhookSecrets
  /** Present when Google sign-in is configured. */
  google?: GoogleOAuthConfig
  /** How Daraja is reached: DARAJA_BASE_URL and, in tests, a fetch routed to the simulator. */
  daraja: DarajaAccess
  /** The client's network address, as this runtime knows it. */
  clientIp: (c: Context) => string
}

/**
 * What work outside a request may use beside the database (jobs, payments, refunds): the same services
 * requests get, so a request can hand over its own. Without senders, messages wait in the outbox.
 */
export type BackgroundServices = Pick<AppServices, 'secretKeys' | 'daraja' | 'scheduler'> & Partial<Pick<AppServices, 'senders' | 'blobStore'>>
