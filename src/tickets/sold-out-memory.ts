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
 * A whole event found sold out (its waiting room's look: nothing left, no hold that could still expire),
 * under `key`, with what the page needs to say so. The same lives as a type's memory, forgotten with them.
 */
const soldOutEvents = new Map<string, { value: unknown; until: number; realUntil: number }>()

export function rememberSoldOutEvent(key: string, value: unknown, now: Date): void {
  soldOutEvents.set(key, { value, until: now.getTime() + SOLD_OUT_MEMORY_MS, realUntil: Date.now() + SOLD_OUT_MEMORY_MS })
}

/** What was remembered of the sold-out event under `key`, while the memory lasts. */
export function knownSoldOutEvent<T>(key: string, now: Date): T | undefined {
  const memory = soldOutEvents.get(key)
  if (!memory) return undefined
  if (memory.until <= now.getTime() || memory.until - SOLD_OUT_MEMORY_MS > now.getTime() || memory.realUntil <= Date.now()) {
    soldOutEvents.delete(key)
    return undefined
  }
  return memory.value as T
}

/** Tickets are on sale again: forget every refusal and every sold-out event. */
export function forgetSoldOut(): void {
  memories.clear()
  soldOutEvents.clear()
}
