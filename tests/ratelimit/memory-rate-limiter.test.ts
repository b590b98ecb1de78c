import { describe, expect, it } from 'vitest'
import { createMemoryRateLimiter } from '../../src/ratelimit/memory-rate-limiter.ts'
import type { RateRule } from '../../src/ratelimit/rate-limiter.ts'
import { rateLimiterContract } from './contract.ts'

/** A limiter on a fake clock that starts at an arbitrary moment and only moves when told. */
function onFakeClock(options: { maxKeys?: number } = {}) {
  let clock = Date.UTC(2026, 2, 14, 9, 30, 0, 123)
  const limiter = createMemoryRateLimiter({ ...options, now: () => clock })
  return {
    limiter,
    at: (ms: number) => { clock = ms },
    get now() { return clock },
    wait: async (ms: number) => { clock += ms },
    startOfWindow: async (windowSeconds: number) => {
      const windowMs = windowSeconds * 1_000
      clock = Math.ceil(clock / windowMs) * windowMs + 20
    },
  }
}

rateLimiterContract('memory', () => onFakeClock())

describe('memory rate limiter', () => {
  it('uses an exact sliding window, to the millisecond, with retryAfter rounded up', async () => {
    const fake = onFakeClock()
    const rule: RateRule = { limit: 2, windowSeconds: 10 }
    const t0 = fake.now
    await fake.limiter.hit('exact', rule)
    fake.at(t0 + 3_000)
    await fake.limiter.hit('exact', rule)
    fake.at(t0 + 3_500)
    expect(await fake.limiter.hit('exact', rule)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 7 })
    fake.at(t0 + 9_999)
    expect(await fake.limiter.peek('exact', rule)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 })
    fake.at(t0 + 10_000)
    expect(await fake.limiter.hit('exact', rule)).toEqual({ allowed: true, remaining: 0, retryAfterSeconds: 0 })
    // Now the attempt from t0 + 3 s is the oldest, and leaves at t0 + 13 s.
    expect(await fake.limiter.hit('exact', rule)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 3 })
  })

  it('a client hammering while refused is let in as soon as retryAfter said', async () => {
    const fake = onFakeClock()
    const rule: RateRule = { limit: 1, windowSeconds: 60 }
    await fake.limiter.hit('hammer', rule)
    for (let i = 0; i < 59; i++) {
      await fake.wait(1_000)
      expect(await fake.limiter.hit('hammer', rule)).toMatchObject({ allowed: false, retryAfterSeconds: 59 - i })
    }
    await fake.wait(1_000)
    expect((await fake.limiter.hit('hammer', rule)).allowed).toBe(true)
  })

  it('forgets the least recently counted key once it holds maxKeys', async () => {
    const fake = onFakeClock({ maxKeys: 2 })
    const rule: RateRule = { limit: 1, windowSeconds: 60 }
    await fake.limiter.hit('a', rule)
    await fake.limiter.hit('b', rule)
    await fake.limiter.hit('a', rule) // refused, so not counted: b stays the more recent
    await fake.limiter.hit('c', rule) // evicts a
    expect((await fake.limiter.peek('a', rule)).allowed).toBe(true)
    expect((await fake.limiter.peek('b', rule)).allowed).toBe(false)
    expect((await fake.limiter.peek('c', rule)).allowed).toBe(false)
  })

  it('reads the real clock by default', async () => {
    const limiter = createMemoryRateLimiter()
    const rule: RateRule = { limit: 1, windowSeconds: 60 }
    expect((await limiter.hit('real', rule)).allowed).toBe(true)
    expect(await limiter.hit('real', rule)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 60 })
  })
})
