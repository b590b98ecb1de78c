/**
 * The behaviour every RateLimiter adapter must show, run against each of them. Windows are 1–2 s so the
 * Redis adapter can run them in real time. Tests start just after an epoch-aligned window boundary,
 * where Upstash's fixed windows begin, so no count straddles two of them by chance.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import type { RateLimiter, RateRule } from '../../src/ratelimit/rate-limiter.ts'

export interface Harness {
  limiter: RateLimiter
  /** Lets `ms` pass: moves a fake clock, or really waits. */
  wait(ms: number): Promise<void>
  /** Moves to 20 ms after the next multiple of `windowSeconds` since the epoch. */
  startOfWindow(windowSeconds: number): Promise<void>
}

const allowed = (remaining: number) => ({ allowed: true, remaining, retryAfterSeconds: 0 })
const refused = (retryAfterSeconds: number) => ({ allowed: false, remaining: 0, retryAfterSeconds })

export function rateLimiterContract(name: string, setup: () => Harness | Promise<Harness>): void {
  describe(`${name}: the RateLimiter contract`, () => {
    let h: Harness
    beforeEach(async () => {
      h = await setup()
    })

    it('allows up to the limit, counting remaining down, then refuses', async () => {
      const rule: RateRule = { limit: 3, windowSeconds: 1 }
      await h.startOfWindow(1)
      expect(await h.limiter.hit('count', rule)).toEqual(allowed(2))
      expect(await h.limiter.hit('count', rule)).toEqual(allowed(1))
      expect(await h.limiter.hit('count', rule)).toEqual(allowed(0))
      expect(await h.limiter.hit('count', rule)).toEqual(refused(1))
    })

    it('peek gives the answer hit would give, without counting', async () => {
      const rule: RateRule = { limit: 2, windowSeconds: 1 }
      await h.startOfWindow(1)
      expect(await h.limiter.peek('peek', rule)).toEqual(allowed(2))
      expect(await h.limiter.peek('peek', rule)).toEqual(allowed(2))
      expect(await h.limiter.hit('peek', rule)).toEqual(allowed(1))
      expect(await h.limiter.peek('peek', rule)).toEqual(allowed(1))
      expect(await h.limiter.hit('peek', rule)).toEqual(allowed(0))
      expect(await h.limiter.peek('peek', rule)).toEqual(refused(1))
      expect(await h.limiter.hit('peek', rule)).toEqual(refused(1))
    })

    it('slides: old attempts leave the window, refused attempts never count', async () => {
      const rule: RateRule = { limit: 2, windowSeconds: 2 }
      await h.startOfWindow(2)
      expect((await h.limiter.hit('slide', rule)).allowed).toBe(true)
      await h.wait(1_000)
      expect((await h.limiter.hit('slide', rule)).allowed).toBe(true)
      expect(await h.limiter.hit('slide', rule)).toEqual(refused(1))
      await h.wait(1_000)
      // The first attempt has left; the second is still in, and the refused one was never counted.
      expect(await h.limiter.hit('slide', rule)).toEqual(allowed(0))
      expect((await h.limiter.hit('slide', rule)).allowed).toBe(false)
      await h.wait(1_000)
      expect((await h.limiter.hit('slide', rule)).allowed).toBe(true)
    })

    it('lets the next attempt through once retryAfterSeconds have passed', async () => {
      const rule: RateRule = { limit: 1, windowSeconds: 1 }
      await h.startOfWindow(1)
      await h.limiter.hit('retry', rule)
      const refusal = await h.limiter.hit('retry', rule)
      expect(refusal).toEqual(refused(1))
      await h.wait(refusal.retryAfterSeconds * 1_000)
      expect(await h.limiter.hit('retry', rule)).toEqual(allowed(0))
    })

    it('reset forgets every attempt of the key, under every rule it was used with', async () => {
      const one: RateRule = { limit: 1, windowSeconds: 1 }
      const two: RateRule = { limit: 2, windowSeconds: 1 }
      await h.startOfWindow(1)
      await h.limiter.hit('reset', one)
      expect((await h.limiter.hit('reset', one)).allowed).toBe(false)
      // Each rule counts the key on its own.
      expect(await h.limiter.hit('reset', two)).toEqual(allowed(1))
      expect(await h.limiter.hit('reset', two)).toEqual(allowed(0))
      await h.limiter.reset('reset')
      expect(await h.limiter.peek('reset', two)).toEqual(allowed(2))
      expect(await h.limiter.hit('reset', one)).toEqual(allowed(0))
      await expect(h.limiter.reset('never-seen')).resolves.toBeUndefined()
    })

    it('keeps keys apart, even keys that look like patterns of one another', async () => {
      const rule: RateRule = { limit: 1, windowSeconds: 1 }
      const keys = ['apart', 'apart:b', 'apart*', 'apart?', 'apart[a]', 'äpart 🎫']
      await h.startOfWindow(1)
      for (const key of keys) expect((await h.limiter.hit(key, rule)).allowed).toBe(true)
      for (const key of keys) expect((await h.limiter.hit(key, rule)).allowed).toBe(false)
      await h.limiter.reset('apart*')
      await h.limiter.reset('apart')
      for (const key of keys) {
        expect({ key, allowed: (await h.limiter.peek(key, rule)).allowed })
          .toEqual({ key, allowed: key === 'apart' || key === 'apart*' })
      }
    })

    it('rejects rules that would not limit anything', async () => {
      const bad: RateRule[] = [
        { limit: 0, windowSeconds: 60 }, { limit: -1, windowSeconds: 60 }, { limit: 1.5, windowSeconds: 60 },
        { limit: Number.NaN, windowSeconds: 60 }, { limit: 5, windowSeconds: 0 }, { limit: 5, windowSeconds: 0.5 },
        { limit: 5, windowSeconds: Number.POSITIVE_INFINITY },
      ]
      for (const rule of bad) {
        await expect(h.limiter.hit('bad', rule)).rejects.toThrow(/rate rule/)
        await expect(h.limiter.peek('bad', rule)).rejects.toThrow(/rate rule/)
      }
    })
  })
}
