/**
 * Rate limiter on Upstash Redis, shared by every Worker isolate and Deno instance. Upstash speaks HTTP,
 * so this runs wherever fetch does. It uses @upstash/ratelimit's sliding window, an approximation of
 * the exact one: a counter per fixed window, plus the previous window's count weighted by how much of
 * that window still overlaps, as if its attempts had been spread evenly. So it may let a few more or
 * fewer through than the exact window would. retryAfterSeconds runs to the end of the current fixed
 * window, when one more attempt is always allowed: never too early, sometimes later than needed.
 */
import { Ratelimit } from '@upstash/ratelimit'
import type { Redis } from '@upstash/redis'
// The fetch-only build: it reads no process.env, so the same import serves Workers, Deno and Node.
import { Redis as FetchRedis } from '@upstash/redis/cloudflare'
import { envText, type EnvVars } from '../config.ts'
import { assertValidRule, ruleId, type RateDecision, type RateLimiter, type RateRule } from './rate-limiter.ts'

export interface UpstashRateLimiterOptions {
  /** Start of every Redis key this limiter writes; default `rl`. */
  prefix?: string
  /**
   * Rules that reset() must clear even in an isolate that has not used them yet. reset() clears a key
   * under every rule listed here or used by this limiter so far; list a rule here if one isolate may
   * reset a key (e.g. on a successful login) that other isolates counted.
   */
  rules?: RateRule[]
}

/** A rate limiter whose counts live in Redis, behind Upstash's REST API. */
export function createUpstashRateLimiter(redis: Redis, options: UpstashRateLimiterOptions = {}): RateLimiter {
  const prefix = options.prefix ?? 'rl'
  const limiters = new Map<string, Ratelimit>()

  // One instance per rule, each under its own prefix, so two rules on one key never share a counter.
  function limiterFor(rule: RateRule): Ratelimit {
    assertValidRule(rule)
    const id = ruleId(rule)
    let limiter = limiters.get(id)
    if (!limiter) {
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(rule.limit, `${rule.windowSeconds} s`),
        prefix: `${prefix}:${id}`,
        // The in-memory cache of blocked keys would outlive reset() in every other isolate.
        ephemeralCache: false,
        analytics: false,
      })
      limiters.set(id, limiter)
    }
    return limiter
  }
  for (const rule of options.rules ?? []) limiterFor(rule)

  function refused(reset: number): RateDecision {
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil((reset - Date.now()) / 1000)) }
  }

  return {
    async hit(key, rule) {
      const limiter = limiterFor(rule)
      // On a Redis slower than the library's 5 s timeout this answers allowed: a slow store must not
      // lock everyone out. Errors (Redis down, wrong token) still throw.
      const result = await guarded(() => limiter.limit(safeKey(key)))
      if (!result.success) return refused(result.reset)
      return { allowed: true, remaining: result.remaining, retryAfterSeconds: 0 }
    },

    async peek(key, rule) {
      const limiter = limiterFor(rule)
      const { remaining, reset } = await guarded(() => limiter.getRemaining(safeKey(key)))
      return remaining > 0 ? { allowed: true, remaining, retryAfterSeconds: 0 } : refused(reset)
    },

    async reset(key) {
      // Each reset is a SCAN over the whole keyspace per rule (that is how the library does it).
      const clears = [...limiters.values()].map((limiter) => limiter.resetUsedTokens(safeKey(key)))
      await guarded(() => Promise.all(clears))
    },
  }
}

/**
 * A limiter from UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (Deno.env or Worker bindings),
 * or undefined when either is missing, so the caller can fall back to the in-memory limiter.
 */
export function upstashRateLimiterFromEnv(
  vars: EnvVars,
  options?: UpstashRateLimiterOptions,
): RateLimiter | undefined {
  const url = envText(vars, 'UPSTASH_REDIS_REST_URL')
  const token = envText(vars, 'UPSTASH_REDIS_REST_TOKEN')
  if (!url || !token) return undefined
  return createUpstashRateLimiter(new FetchRedis({ url, token, enableTelemetry: false }), options)
}

// Redis keys are `prefix:rule:key:window`, and reset deletes by the glob `prefix:rule:key:*`. Escaping
// `:` and glob characters keeps one key's reset from matching another key (say `a` and `a:b`, or `a*`).
function safeKey(key: string): string {
  return encodeURIComponent(key).replace(/\*/g, '%2A')
}

// Upstash errors quote the whole command, key included; keep only Redis's own words, so no log gets a key.
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    const detail = error instanceof Error ? error.message.split(', command was:')[0] : 'unknown error'
    throw new Error(`rate limiter store failed: ${detail}`)
  }
}
