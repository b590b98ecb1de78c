/**
 * The sold-out fast path: what this process last heard from the database about a ticket type that ran
 * short, so the next buyers of a sold-out type are answered 409 without a database write (or, without
 * an Idempotency-Key, any database call). The database stays the only judge of a claim: this only ever
 * refuses, and only what the database itself refused a moment ago.
 *
 * A memory lasts SOLD_OUT_MEMORY_MS of real time and never past the type's next hold expiry (a hold's
 * tickets are on sale again at its expiry, invariant 2, even if no job runs). Tickets coming back to sale
 * in this process (a release, the expiry sweep, more capacity) forget everything at once
 * (forgetSoldOut, called by moveTickets and addSellableTickets); in another process, the short life does.
 */

/** How long a refusal is remembered, in real time. */
export const SOLD_OUT_MEMORY_MS = 1_000

interface Memory {
  eventId: string
  name: string
  /** Rows the refused claim could still take. */
  claimable: number
  /** Request time (the app's clock) after which the memory is void: the next hold expiry, at the latest. */
  until: number
  /** Real time (Date.now) after which the memory is void. */
  realUntil: number
}

const memories = new Map<string, Memory>()

/** The database refused a claim on `typeId`: it could take `claimable` rows; its next hold expires at `nextExpiry`. */
export function rememberSoldOut(input: {
  eventId: string; typeId: string; name: string; claimable: number; nextExpiry: Date | null; now: Date
}): void {
  const until = Math.min(input.now.getTime() + SOLD_OUT_MEMORY_MS, input.nextExpiry?.getTime() ?? Infinity)
  if (until <= input.now.getTime()) return
  memories.set(input.typeId, {
    eventId: input.eventId, name: input.name, claimable: input.claimable, until, realUntil: Date.now() + SOLD_OUT_MEMORY_MS,
  })
}

/** The name of the first type that is known to be too short for its quantity right now, if any. */
export function knownSoldOut(eventId: string, items: Array<{ ticketTypeId: string; quantity: number }>, now: Date): string | undefined {
  if (memories.size === 0) return undefined
  for (const item of items) {
    const memory = memories.get(item.ticketTypeId)
    if (!memory) continue
    if (memory.until <= now.getTime() || memory.realUntil <= Date.now()) {
      memories.delete(item.ticketTypeId)
      continue
    }
    if (memory.eventId === eventId && item.quantity > memory.claimable) return memory.name
  }
  return undefined
}

/**
 * A whole event found with nothing left (its waiting room's look: sold out, or every ticket held by buyers
 * paying), under `key`. It lives SOLD_OUT_MEMORY_MS like a type's memory and is forgotten with them; a hold
 * that lapses in another process shows within that second, and a claim never reads this (the database judges
 * every hold).
 */
const emptyEvents = new Map<string, { value: unknown; until: number; realUntil: number }>()
/**
 * Looks in flight, per database and key: callers that come while one runs take its answer rather than asking
 * again. Only callers on the same database share one: on Workers each request has a database of its own, and a
 * request must never wait on another's I/O (which ends with that request, cancelled or not).
 */
const asking = new WeakMap<object, Map<string, Promise<unknown>>>()

/**
 * The answer of the ask already in flight for `key` on the same database `db`, if any (it began at most one
 * query ago, and a crowd arriving together would otherwise queue on the pool behind itself); else a new ask.
 * Only for reads that may be that old; a failed ask is not shared (each waiter asks itself).
 */
export async function sharedWhileInFlight<T>(db: object, key: string, ask: () => Promise<T>): Promise<T> {
  let inFlight = asking.get(db)
  if (!inFlight) asking.set(db, inFlight = new Map())
  const pending = inFlight.get(key) as Promise<T> | undefined
  if (pending) {
    const shared = await pending.then((value) => ({ value }), () => undefined)
    return shared ? shared.value : ask()
  }
  const answer = ask()
  inFlight.set(key, answer)
  try {
    return await answer
  } finally {
    if (inFlight.get(key) === answer) inFlight.delete(key)
  }
}

/**
 * What `ask` answers for `key`: from memory while it last found nothing left (`nothingLeft`) less than a
 * second ago; else as sharedWhileInFlight answers it (an ask in flight on the same database, or a new one).
 */
export async function rememberedWhileNothingLeft<T>(db: object, key: string, now: Date, ask: () => Promise<T | undefined>,
  nothingLeft: (value: T) => boolean): Promise<T | undefined> {
  const memory = emptyEvents.get(key)
  const at = now.getTime()
  // (a request older than the look remembered, begun before it, does not use it)
  if (memory && at < memory.until && at >= memory.until - SOLD_OUT_MEMORY_MS && Date.now() < memory.realUntil) return memory.value as T
  let remember = false
  const value = await sharedWhileInFlight(db, key, async () => {
    const asked = await ask()
    // only the caller that asked decides what is remembered (from a request time of its own)
    remember = true
    return asked
  })
  if (remember) {
    if (value !== undefined && nothingLeft(value)) {
      emptyEvents.set(key, { value, until: at + SOLD_OUT_MEMORY_MS, realUntil: Date.now() + SOLD_OUT_MEMORY_MS })
    } else emptyEvents.delete(key)
  }
  return value
}

/** Tickets are on sale again: forget every refusal and every event with nothing left. */
export function forgetSoldOut(): void {
  memories.clear()
  emptyEvents.clear()
}
