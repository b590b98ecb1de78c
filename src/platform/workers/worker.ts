/**
 * Cloudflare Workers entry. Each request gets its own small postgres.js client (Workers cannot share
 * sockets between requests), closed once the response is sent. Static files are served by Workers
 * assets before the app runs. Migrations are not run here: `npm run migrate` does that.
 */
import type { ExecutionContext } from 'hono'
import { createApp, createServices, type App, type AppDeps } from '../../app.ts'
import { googleOAuthConfigFromEnv } from '../../accounts/google-oauth.ts'
import { envText, readConfig } from '../../config.ts'
import type { DatabaseProvider } from '../../db/database.ts'
import { createPostgresDb } from '../../db/postgres.ts'
import { parseKeyRing } from '../../lib/secret-box.ts'
import { upstashRateLimiterFromEnv } from '../../ratelimit/upstash-rate-limiter.ts'
import { upstashQueueStoreFromEnv } from '../../waitroom/upstash-queue-store.ts'
import { s3BlobStore, s3ConfigFromEnv } from '../../storage/s3-blob-store.ts'
import { qstashConfigFromEnv } from '../../jobs/qstash.ts'
import { tick } from '../../jobs/runner.ts'
import { notificationSendersFromEnv, notificationWebhookSecretsFromEnv } from '../../notifications/sender-config.ts'

interface WorkerBindings {
  DATABASE_URL?: string
  HYPERDRIVE?: { connectionString: string }
  [name: string]: unknown
}

function perRequestDatabase(url: string): DatabaseProvider {
  return {
    acquire() {
      const db = createPostgresDb(url, { max: 2, connectTimeoutSeconds: 3, prepare: false })
      return { db, release: () => db.destroy() }
    },
  }
}

/** Hyperdrive's pooled connection (a binding, not a variable), else DATABASE_URL. */
function databaseUrlOf(env: WorkerBindings): string | undefined {
  return env.HYPERDRIVE?.connectionString ?? envText(env, 'DATABASE_URL')
}

let cached: { url: string; app: App; services: ReturnType<typeof createServices> } | undefined

async function appFor(env: WorkerBindings) {
  const url = databaseUrlOf(env)
  if (!url) throw new Error('Set DATABASE_URL or a HYPERDRIVE binding for the Worker')
  if (cached?.url !== url) {
    const s3 = s3ConfigFromEnv(env)
    const secretsKeys = envText(env, 'SECRETS_KEYS')
    const config = readConfig(env)
    const senders = notificationSendersFromEnv(env, config.mode)
    if (config.mode === 'production' && senders.enabled && !secretsKeys) {
      throw new Error('SECRETS_KEYS must be set in production to send messages (or NOTIFICATIONS=off)')
    }
    // Without Upstash, rate limits are counted per isolate: set UPSTASH_REDIS_REST_URL in production.
    const deps: AppDeps = {
      config,
      database: perRequestDatabase(url),
      rateLimiter: upstashRateLimiterFromEnv(env),
      queueStore: upstashQueueStoreFromEnv(env),
      google: googleOAuthConfigFromEnv(env),
      blobStore: s3 ? s3BlobStore(s3) : undefined,
      qstash: qstashConfigFromEnv(env, config),
      secretKeys: secretsKeys ? await parseKeyRing(secretsKeys) : undefined,
      senders,
      webhookSecrets: notificationWebhookSecretsFromEnv(env),
      dispatchAfterRequest: true,
    }
    const services = createServices(deps)
    cached = { url, app: createApp(deps, services), services }
  }
  return cached
}

export default {
  async fetch(request: Request, env: WorkerBindings, ctx: ExecutionContext) {
    return (await appFor(env)).app.fetch(request, env, ctx)
  },
  /** The cron trigger (wrangler.toml): the hold sweep and due jobs, as the Deno server's timer runs them. */
  async scheduled(_controller: unknown, env: WorkerBindings, ctx: ExecutionContext) {
    const url = databaseUrlOf(env)
    if (!url) return
    const { services } = await appFor(env)
    const lease = perRequestDatabase(url).acquire()
    ctx.waitUntil(tick(lease.db, services).finally(() => lease.release()))
  },
}
