/**
 * The Upstash adapter against the real local Redis, through Upstash's REST API (tests/support/upstash-rest.ts),
 * in real time. Every run writes under its own key prefix, so runs never collide; the keys expire
 * by themselves within seconds.
 */
import { Redis } from '@upstash/redis'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, describe, expect, it } from 'vitest'
import { createUpstashRateLimiter, upstashRateLimiterFromEnv } from '../../src/ratelimit/upstash-rate-limiter.ts'
import { startUpstashRest, type UpstashRest } from '../support/upstash-rest.ts'
import { rateLimiterContract } from './contract.ts'

const prefix = `rl-test-${Date.now()}-${crypto.randomUUID().slice(0, 8)}`
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
// Upstash counts in epoch-aligned fixed windows; starting just after a boundary keeps a test's attempts
// in one of them, so a count never drops by chance mid-test.
const startOfWindow = (windowSeconds: number) => {
  const windowMs = windowSeconds * 1_000
  return sleep(windowMs - (Date.now() % windowMs) + 20)
}

// Started on first use, so without Redis every test fails with the reason (a failing beforeAll would
// only mark them skipped).
let started: Promise<{ rest: UpstashRest; redis: Redis }> | undefined
function bridge() {
  started ??= startUpstashRest().then((rest) => ({
    rest,
    redis: new Redis({ url: rest.url, token: rest.token, responseEncoding: false, enableTelemetry: false }),
  }))
  return started
}
afterAll(async () => {
  await (await started?.catch(() => undefined))?.rest.close()
})

rateLimiterContract('upstash on real Redis', async () => ({
  limiter: createUpstashRateLimiter((await bridge()).redis, { prefix }),
  wait: sleep,
  startOfWindow,
}))

describe('upstash rate limiter', () => {
  it('keeps its counters in Redis under the prefix, one counter per rule, the key escaped', async () => {
    const { redis } = await bridge()
    const limiter = createUpstashRateLimiter(redis, { prefix })
    await limiter.hit('in-redis:a', { limit: 5, windowSeconds: 2 })
    await limiter.hit('in-redis:a', { limit: 6, windowSeconds: 2 })
    const keys = (await redis.keys(`${prefix}:*:in-redis*`)).sort()
    expect(keys).toHaveLength(2)
    expect(keys[0]).toMatch(new RegExp(`^${prefix}:5/2:in-redis%3Aa:\\d+$`))
    expect(keys[1]).toMatch(new RegExp(`^${prefix}:6/2:in-redis%3Aa:\\d+$`))
  })

  it('resets a key under rules given up front, as a fresh isolate would need', async () => {
    const { redis } = await bridge()
    const rule = { limit: 1, windowSeconds: 1 }
    const counting = createUpstashRateLimiter(redis, { prefix })
    await startOfWindow(1)
    await counting.hit('fresh', rule)
    expect((await counting.peek('fresh', rule)).allowed).toBe(false)
    await createUpstashRateLimiter(redis, { prefix }).reset('fresh') // knows no rule: nothing to clear
    expect((await counting.peek('fresh', rule)).allowed).toBe(false)
    await createUpstashRateLimiter(redis, { prefix, rules: [rule] }).reset('fresh')
    expect((await counting.peek('fresh', rule)).allowed).toBe(true)
  })

  it('comes from UPSTASH_REDIS_REST_URL and _TOKEN, or not at all', async () => {
    const { rest } = await bridge()
    expect(upstashRateLimiterFromEnv({})).toBeUndefined()
    expect(upstashRateLimiterFromEnv({ UPSTASH_REDIS_REST_URL: rest.url })).toBeUndefined()
    expect(upstashRateLimiterFromEnv({ UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: '' }))
      .toBeUndefined()
    expect(upstashRateLimiterFromEnv({ UPSTASH_REDIS_REST_URL: 42, UPSTASH_REDIS_REST_TOKEN: rest.token }))
      .toBeUndefined()
    const limiter = upstashRateLimiterFromEnv(
      { UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token },
      { prefix },
    )
    await startOfWindow(1)
    expect((await limiter!.hit('from-env', { limit: 1, windowSeconds: 1 })).allowed).toBe(true)
    expect((await limiter!.hit('from-env', { limit: 1, windowSeconds: 1 })).allowed).toBe(false)
  })

  it('reports store failures without the key or the command', async () => {
    // A store that fails every request, as Upstash does with a bad token or a broken database.
    const failing: Server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'ERR boom' }))
    })
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`
    try {
      const limiter = createUpstashRateLimiter(new Redis({ url, token: 't', responseEncoding: false }))
      for (const call of [() => limiter.hit('secret-key', { limit: 1, windowSeconds: 2 }),
        () => limiter.reset('secret-key')]) {
        const error = await call().then(() => undefined, (e: unknown) => e as Error)
        expect(error?.message).toMatch(/^rate limiter store failed: .*ERR boom/)
        expect(error?.message).not.toContain('secret-key')
      }
    } finally {
      await new Promise((resolve) => failing.close(resolve))
    }
  })
})
