/**
 * In-process rate limiter: an exact sliding window over the timestamps of allowed attempts, per key and
 * rule. For tests, development and a single Deno instance. Each Worker isolate has its own memory, so
 * limits shared across isolates need the Upstash adapter.
 */
import { assertValidRule, ruleId, type RateDecision, type RateLimiter, type RateRule } from './rate-limiter.ts'

export interface MemoryRateLimiterOptions {
  /** Milliseconds since the epoch; injectable so tests move time instead of sleeping. */
  now?: () => number
  /** Most keys remembered; past it the least recently counted key is forgotten. */
  maxKeys?: number
}

const DEFAULT_MAX_KEYS = 100_000

/** A rate limiter whose counts live in this process only and vanish on restart. */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now
  const maxKeys = options.maxKeys ?? DEFAULT_MAX_KEYS
  // key -> rule id -> ascending timestamps of allowed attempts. Map order doubles as recency order
  // (a counted key is moved to the end), so eviction takes the first key in O(1).
  const keys = new Map<string, Map<string, number[]>>()

  /** The attempts of `key` under `rule` still in the window at `at`, dropping the ones that left. */
  function current(key: string, rule: RateRule, at: number): number[] {
    const rules = keys.get(key)
    const stamps = rules?.get(ruleId(rule))
    if (!rules || !stamps) return []
    const windowStart = at - rule.windowSeconds * 1000
    let gone = 0
    while (gone < stamps.length && stamps[gone]! <= windowStart) gone++
    stamps.splice(0, gone)
    if (stamps.length === 0) {
      rules.delete(ruleId(rule))
      if (rules.size === 0) keys.delete(key)
    }
    return stamps
  }

  function decide(stamps: number[], rule: RateRule, at: number): RateDecision {
    const used = stamps.length
    if (used < rule.limit) return { allowed: true, remaining: rule.limit - used, retryAfterSeconds: 0 }
    // The oldest used - limit + 1 attempts must leave before one more fits; the last of them decides.
    const last = stamps[used - rule.limit]!
    const waitMs = last + rule.windowSeconds * 1000 - at
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.ceil(waitMs / 1000) }
  }

  function record(key: string, rule: RateRule, stamps: number[], at: number): void {
    const rules = keys.get(key) ?? new Map<string, number[]>()
    keys.delete(key)
    stamps.push(at)
    rules.set(ruleId(rule), stamps)
    keys.set(key, rules)
    if (keys.size > maxKeys) keys.delete(keys.keys().next().value!)
  }

  return {
    async hit(key, rule) {
      assertValidRule(rule)
      const at = now()
      const stamps = current(key, rule, at)
      const decision = decide(stamps, rule, at)
      if (!decision.allowed) return decision
      record(key, rule, stamps, at)
      return { ...decision, remaining: decision.remaining - 1 }
    },

    async peek(key, rule) {
      assertValidRule(rule)
      const at = now()
      return decide(current(key, rule, at), rule, at)
    },

    async reset(key) {
      keys.delete(key)
    },
  }
}
