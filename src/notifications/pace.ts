/**
 * A send pace: the earliest time the next message may leave, per process. Resend allows a few requests
 * a second per team; WhatsApp numbers that send in bursts get banned, so WAHA's pace is spread with
 * random jitter. A provider's 429 pushes the next slot back by its retry-after.
 */
export interface Pacer {
  /** Takes the next slot: how many ms from `now` until it (0: send now). */
  reserve(now: number): number
  /** Gives a reserved slot back (the message was not sent after all). */
  release(): void
  /** Nothing leaves before `until` (a 429's retry-after). */
  holdUntil(until: number): void
}

export interface PaceOptions {
  /** Mean spacing between two sends; 0 means no pace. */
  intervalMs: number
  /** 0..1: each spacing is intervalMs × (1 ± jitter), at random. */
  jitter?: number
  random?: () => number
}

export function createPacer(options: PaceOptions): Pacer {
  const jitter = Math.min(Math.max(options.jitter ?? 0, 0), 1)
  const random = options.random ?? Math.random
  let next = 0
  let lastStep = 0
  return {
    reserve(now) {
      const at = Math.max(now, next)
      lastStep = options.intervalMs * (1 - jitter + 2 * jitter * random())
      next = at + lastStep
      return at - now
    },
    release() {
      next -= lastStep
      lastStep = 0
    },
    holdUntil(until) {
      next = Math.max(next, until)
    },
  }
}
