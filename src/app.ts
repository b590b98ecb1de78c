/**
 * Builds the whole application from its dependencies. The Deno server, the Workers entry and the tests
 * all call this one function; only what they pass in differs.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { accountRoutes } from './accounts/account-routes.tsx'
import { adminRoutes } from './accounts/admin-routes.tsx'
import { dashboardRoutes } from './analytics/dashboard-routes.tsx'
import { exportRoutes } from './analytics/export-routes.ts'
import { reportsRoutes } from './analytics/reports-routes.tsx'
import { authRoutes } from './accounts/auth-routes.tsx'
import { currentUser } from './accounts/current-user.ts'
import type { GoogleOAuthConfig } from './accounts/google-oauth.ts'
import { googleRoutes } from './accounts/google-routes.tsx'
import { manageRoutes } from './accounts/manage-routes.tsx'
import type { AppConfig } from './config.ts'
import type { DatabaseProvider } from './db/database.ts'
import { eventApiRoutes } from './events/api-routes.ts'
import { manageEventRoutes } from './events/manage-routes.tsx'
import { publicEventRoutes } from './events/public-routes.tsx'
import { templateRoutes } from './events/template-routes.tsx'
import { healthRoutes } from './health/routes.ts'
import { compression, type Gzip } from './http/compression.ts'
import type { AppEnv } from './http/app-env.ts'
import { contentSecurityPolicy, STRICT_TRANSPORT_SECURITY } from './http/content-security.ts'
import { csrfProtection } from './http/csrf.ts'
import { errorHandler, notFound } from './http/errors.tsx'
import { language } from './http/language.ts'
import { openApi } from './http/openapi.ts'
import { requestLog, type LogSink } from './http/request-log.ts'
import { immutableAssets } from './http/static-assets.ts'
import { qstashScheduler, type QStashConfig } from './jobs/qstash.ts'
import { jobRoutes } from './jobs/routes.ts'
import { postgresScheduler, type Scheduler } from './jobs/scheduler.ts'
import type { FetchFn } from './lib/fetch.ts'
import type { KeyRing } from './lib/secret-box.ts'
import { OUTBOX_SENDERS, type MessageSenders } from './notifications/senders.ts'
import { messageRoutes } from './notifications/manage-routes.tsx'
import { createNotifier } from './notifications/notifier.ts'
import { outboxWrites } from './notifications/outbox.ts'
import { outboxRoutes } from './notifications/outbox-routes.tsx'
import type { NotificationWebhookSecrets } from './notifications/sender-config.ts'
import { webhookRoutes } from './notifications/webhook-routes.ts'
import { paymentApiRoutes } from './payments/api-routes.ts'
import { callbackRoutes } from './payments/callback-routes.ts'
import { checkoutRoutes } from './payments/checkout-routes.tsx'
import { credentialsRoutes } from './payments/credentials-routes.tsx'
import { reconciliationRoutes } from './payments/reconciliation-routes.tsx'
import { refundRoutes } from './payments/refund-routes.tsx'
import { payoutCallbackRoutes } from './payouts/payout-callback-routes.ts'
import { payoutRoutes } from './payouts/payout-routes.tsx'
import { createMemoryRateLimiter } from './ratelimit/memory-rate-limiter.ts'
import type { RateLimiter } from './ratelimit/rate-limiter.ts'
import { gateApiRoutes } from './scanning/api-routes.ts'
import { attendanceRoutes } from './scanning/attendance-routes.tsx'
import { scannerRoutes } from './scanning/routes.tsx'
import type { AppServices } from './services.ts'
import { postgresBlobStore, type BlobStore } from './storage/blob-store.ts'
import { mediaRoutes } from './storage/media-routes.ts'
import { reservationApiRoutes } from './tickets/api-routes.ts'
import { guestLinkRoutes } from './tickets/guest-link-routes.tsx'
import { holdRoutes } from './tickets/hold-routes.tsx'
import { pdfRoutes } from './tickets/pdf-routes.ts'
import { ticketRoutes } from './tickets/ticket-routes.tsx'
import { transferRoutes } from './transfers/transfer-routes.tsx'
import { transferApiRoutes } from './transfers/api-routes.ts'
import { transferManageRoutes } from './transfers/manage-routes.tsx'
import { resaleApiRoutes } from './resale/api-routes.ts'
import { resaleManageRoutes } from './resale/manage-routes.tsx'
import { resaleRoutes } from './resale/resale-routes.tsx'
import type { QueueStore } from './waitroom/queue-store.ts'
import { queueRoutes } from './waitroom/queue-routes.tsx'
import { waitingRoomManageRoutes } from './waitroom/manage-routes.tsx'
import { waitingListRoutes } from './waitroom/waiting-list-routes.tsx'

export interface AppDeps {
  config: AppConfig
  database: DatabaseProvider
  /** Current time; tests inject a fixed clock. */
  clock?: () => Date
  /** Where log lines go (one JSON object per line). */
  log?: LogSink
  /**
   * Serves files of `static/` (root `static/`) on runtimes that need the app to do it, at the paths
   * Workers assets use: /assets/… and /robots.txt.
   */
  staticFiles?: MiddlewareHandler<AppEnv>
  /** Rate limits; in-process by default. */
  rateLimiter?: RateLimiter
  /** Waiting-room queues (Upstash Redis); in Postgres by default. */
  queueStore?: QueueStore
  /** Email and WhatsApp delivery; the dev outbox by default. */
  senders?: MessageSenders
  /** Google sign-in, when configured. */
  google?: GoogleOAuthConfig
  /** The providers' webhook secrets; a provider without one has no webhook endpoint. */
  webhookSecrets?: NotificationWebhookSecrets
  /** Uploaded files; in Postgres by default. */
  blobStore?: BlobStore
  /** Keys for secrets at rest; without them M-Pesa credentials cannot be stored. */
  secretKeys?: KeyRing
  /**
   * Gzip responses in the app. Deno needs this; Workers must not (the runtime compresses by itself and
   * would compress a compressed body again).
   */
  compressResponses?: boolean
  /** The runtime's synchronous gzip, for pages and JSON (src/http/compression.ts); without it, streamed gzip. */
  gzip?: Gzip
  /** QStash, when configured: jobs go through it and come back signed to /jobs/qstash. */
  qstash?: QStashConfig
  /** Overrides the scheduler (tests); default: QStash when configured, else the jobs table. */
  scheduler?: Scheduler
  /** The client's address; by default the platform's client-IP header, else "unknown". */
  clientIp?: AppServices['clientIp']
  /** How Daraja is reached (tests route it to the simulator); the host comes from config. */
  darajaFetch?: FetchFn
  /**
   * Deliver messages right after the request that wrote them (the Deno server and Workers do; tests
   * that look at pending rows do not, and run the dispatcher themselves).
   */
  dispatchAfterRequest?: boolean
}

/** Cloudflare sets CF-Connecting-IP; other proxies are trusted only when the entry says so. */
const headerClientIp: AppServices['clientIp'] = (c) => c.req.header('cf-connecting-ip') ?? 'unknown'

const consoleSink: LogSink = (line) => console.log(line)

/** The outside services, real or stand-in. Entries build them once for the app and the job runner. */
export function createServices(deps: AppDeps): AppServices {
  return {
    rateLimiter: deps.rateLimiter ?? createMemoryRateLimiter(),
    queueStore: deps.queueStore,
    senders: deps.senders ?? OUTBOX_SENDERS,
    blobStore: deps.blobStore ?? postgresBlobStore,
    secretKeys: deps.secretKeys,
    qstash: deps.qstash,
    scheduler: deps.scheduler ?? (deps.qstash ? qstashScheduler(deps.qstash) : postgresSchedulerFor(deps.database)),
    google: deps.google,
    webhookSecrets: deps.webhookSecrets,
    clientIp: deps.clientIp ?? headerClientIp,
    daraja: { baseUrlOverride: deps.config.darajaBaseUrl, fetch: deps.darajaFetch },
  }
}

export function createApp(deps: AppDeps, services: AppServices = createServices(deps)) {
  const clock = deps.clock ?? (() => new Date())
  const log = deps.log ?? consoleSink
  const app = new Hono<AppEnv>()
  const notifier = createNotifier(deps.database, () => services,
    (error) => log(JSON.stringify({ level: 'error', msg: 'message dispatch failed', error: String((error as Error)?.message ?? error) })))

  app.use(requestId())
  // Pages are text: gzip takes the event page from ~6 KB to ~2 KB, which is seconds on 2G.
  if (deps.compressResponses) app.use(compression(deps.gzip))
  app.use(async function requestScope(c, next) {
    c.set('config', deps.config)
    c.set('services', services)
    c.set('now', clock())
    const lease = deps.database.acquire()
    c.set('db', lease.db)
    const writesBefore = outboxWrites()
    try {
      await next()
    } finally {
      const released = lease.release()
      // the request's transactions are committed by now: its messages may leave
      const dispatched = deps.dispatchAfterRequest && outboxWrites() !== writesBefore ? notifier.kick() : undefined
      try {
        c.executionCtx.waitUntil(released)
        if (dispatched) c.executionCtx.waitUntil(dispatched)
      } catch {
        await released // no execution context outside Workers; the dispatch runs on in the background
      }
    }
  })
  app.use(language)
  app.use(requestLog(log))
  app.use(secureHeaders({ crossOriginEmbedderPolicy: false, strictTransportSecurity: STRICT_TRANSPORT_SECURITY, xFrameOptions: 'DENY' }))
  app.use(contentSecurityPolicy)
  if (deps.staticFiles) {
    // the same paths as Workers assets serve from static/
    const files = immutableAssets(deps.staticFiles)
    app.use('/assets/*', files)
    app.use('/robots.txt', files)
  }
  app.use(csrfProtection)
  app.use(currentUser)

  app.route('/', healthRoutes)
  app.route('/', publicEventRoutes)
  app.route('/', authRoutes)
  app.route('/', googleRoutes)
  app.route('/', accountRoutes)
  app.route('/', dashboardRoutes)
  app.route('/', exportRoutes)
  app.route('/', reportsRoutes)
  app.route('/', manageRoutes)
  app.route('/', templateRoutes)
  app.route('/', manageEventRoutes)
  app.route('/', mediaRoutes)
  app.route('/', openApi(eventApiRoutes, reservationApiRoutes, paymentApiRoutes, gateApiRoutes, transferApiRoutes, resaleApiRoutes))
  app.route('/', queueRoutes)
  app.route('/', waitingListRoutes)
  app.route('/', waitingRoomManageRoutes)
  app.route('/', holdRoutes)
  app.route('/', ticketRoutes)
  app.route('/', transferRoutes)
  app.route('/', transferManageRoutes)
  app.route('/', resaleRoutes)
  app.route('/', resaleManageRoutes)
  app.route('/', guestLinkRoutes)
  app.route('/', pdfRoutes)
  app.route('/', jobRoutes)
  app.route('/', credentialsRoutes)
  app.route('/', reconciliationRoutes)
  app.route('/', refundRoutes)
  app.route('/', callbackRoutes)
  app.route('/', payoutRoutes)
  app.route('/', payoutCallbackRoutes)
  app.route('/', checkoutRoutes)
  app.route('/', adminRoutes)
  app.route('/', scannerRoutes)
  app.route('/', attendanceRoutes)
  app.route('/', outboxRoutes)
  app.route('/', webhookRoutes)
  app.route('/', messageRoutes)

  app.notFound(notFound)
  app.onError(errorHandler(log))
  return app
}

/** The jobs table of whichever database a request gets (Workers open one per request). */
function postgresSchedulerFor(database: DatabaseProvider): Scheduler {
  return {
    async enqueue(job) {
      const lease = database.acquire()
      try {
        await postgresScheduler(lease.db).enqueue(job)
      } finally {
        await lease.release()
      }
    },
  }
}

export type App = ReturnType<typeof createApp>
