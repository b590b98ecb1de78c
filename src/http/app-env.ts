import type { Context } from 'hono'
import type { CurrentUser } from '../accounts/current-user.ts'
import type { GoogleOAuthConfig } from '../accounts/google-oauth.ts'
import type { AppConfig } from '../config.ts'
import type { Database } from '../db/database.ts'
import type { StaffMember } from '../accounts/guards.ts'
import type { Lang, Translator } from '../i18n/index.ts'
import type { MessageSenders } from '../notifications/messages.ts'
import type { RateLimiter } from '../ratelimit/rate-limiter.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import type { QStashConfig } from '../jobs/qstash.ts'
import type { Scheduler } from '../jobs/scheduler.ts'
import type { DarajaAccess } from '../payments/daraja-access.ts'

/** Outside services the app talks to, chosen by the runtime entry (real ones or local stand-ins). */
export interface AppServices {
  rateLimiter: RateLimiter
  senders: MessageSenders
  /** Where uploaded files' bytes live. */
  blobStore: BlobStore
  /** Keys for secrets at rest (M-Pesa credentials); absent until SECRETS_KEYS is set. */
  secretKeys?: KeyRing
  /** Work for later: the jobs table, or QStash when configured. */
  scheduler: Scheduler
  /** Present when QStash delivers jobs to /jobs/qstash. */
  qstash?: QStashConfig
  /** Present when Google sign-in is configured. */
  google?: GoogleOAuthConfig
  /** How Daraja is reached: DARAJA_BASE_URL and, in tests, a fetch routed to the simulator. */
  daraja: DarajaAccess
  /** The client's network address, as this runtime knows it. */
  clientIp: (c: Context<AppEnv>) => string
}

/** The one Hono environment type: bindings from the runtime, variables set by middleware. */
export interface AppEnv {
  Bindings: Record<string, unknown>
  Variables: {
    config: AppConfig
    services: AppServices
    db: Database
    /** Current time for this request; injected so tests control it. */
    now: Date
    requestId: string
    lang: Lang
    t: Translator
    /** The signed-in person, or null. */
    user: CurrentUser | null
    /** Set by requireManager and requireStaff for the handlers behind them; read with staffMember(c). */
    staff?: StaffMember
    /** A word for the request's log line (why a callback was ignored); never personal data. */
    logNote?: string
  }
}
