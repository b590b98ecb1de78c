/**
 * The rate-limiter port: how the app counts attempts (logins, OTP requests, checkouts) per key over a
 * sliding window, whatever stores the counts. Adapters: memory-rate-limiter.ts (one process, tests and
 * development) and upstash-rate-limiter.ts (shared across Worker isolates and Deno instances).
 *
 * Keys are opaque strings. Callers hash personal data (emails, phone numbers, IPs) before passing it,
 * and nobody logs keys. A key is counted separately for each distinct rule it is used with.
 * Refused attempts are not counted, so waiting `retryAfterSeconds` always lets the next one through,
 * however often a client retried in between.
 */

export interface RateRule {
  /** Attempts allowed in any window; a positive integer. */
  limit: number
  /** Length of the sliding window in whole seconds; a positive integer. */
  windowSeconds: number
}

export interface RateDecision {
  allowed: boolean
  /** Attempts still allowed in the window after this answer. */
  remaining: number
  /** Whole seconds (rounded up) until one more attempt would be allowed; 0 when allowed. */
  retryAfterSeconds: number
}

export interface RateLimiter {
  /** Counts one attempt against `key`; allowed is false once more than rule.limit attempts fell in the window. */
  hit(key: string, rule: RateRule): Promise<RateDecision>
  /** Same answer as hit would give for the attempts so far, without counting one. */
  peek(key: string, rule: RateRule): Promise<RateDecision>
  /** Forgets every attempt of `key` (e.g. after a successful login). */
  reset(key: string): Promise<void>
}

/** Throws unless `rule` has a positive integer limit and window, so a typo never disables limiting. */
export function assertValidRule(rule: RateRule): void {
  const { limit, windowSeconds } = rule
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new Error(`rate rule limit must be a positive integer (got ${limit})`)
  }
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1) {
    throw new Error(`rate rule windowSeconds must be a positive integer (got ${windowSeconds})`)
  }
}

/** Stable name of a rule, for keeping each rule's counts apart. */
export function ruleId(rule: RateRule): string {
  return `${rule.limit}/${rule.windowSeconds}`
}
