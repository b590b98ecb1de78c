/**
 * Cloudflare Workers entry. Each request gets its own small postgres.js client (Workers cannot share
 * sockets between requests), closed once the response is sent. Static files are served by Workers
 * assets before the app runs. Migrations are not run here: `npm run migrate` does that.
 */
import type { ExecutionContext } from 'hono'
import { createApp, type App } from '../../app.ts'
import { googleOAuthConfigFromEnv } from '../../accounts/google-oauth.ts'
import { readConfig } from '../../config.ts'
import type { DatabaseProvider } from '../../db/database.ts'
import { createPostgresDb } from '../../db/postgres.ts'
import { upstashRateLimiterFromEnv } from '../../ratelimit/upstash-rate-limiter.ts'

interface WorkerBindings {
  DATABASE_URL?: string
  HYPERDRIVE?: { connectionString: string }
  [name: string]: unknown
}

function perRequestDatabase(url: string): DatabaseProvider {
  return {
    acquire() {
      const db = createPostgresDb(url, { max: 2, connectTimeoutSeconds: 3 })
      return { db, release: () => db.destroy() }
    },
  }
}

let cached: { url: string; app: App } | undefined

function appFor(env: WorkerBindings): App {
  const url = env.HYPERDRIVE?.connectionString ?? env.DATABASE_URL
  if (!url) throw new Error('Set DATABASE_URL or a HYPERDRIVE binding for the Worker')
  if (cached?.url !== url) {
    // Without Upstash, rate limits are counted per isolate: set UPSTASH_REDIS_REST_URL in production.
    cached = {
      url,
      app: createApp({
        config: readConfig(env),
        database: perRequestDatabase(url),
        rateLimiter: upstashRateLimiterFromEnv(env),
        google: googleOAuthConfigFromEnv(env),
      }),
    }
  }
  return cached.app
}

export default {
  fetch(request: Request, env: WorkerBindings, ctx: ExecutionContext) {
    return appFor(env).fetch(request, env, ctx)
  },
}
