/**
 * The queue-store port: where a waiting room keeps its queues, whatever holds them. Adapters:
 * postgres-queue-store.ts (the default; the jobs table's database) and upstash-queue-store.ts (a sorted
 * set and a counter per event in Upstash Redis, over HTTP, so Workers and Deno share it). Both survive
 * a server restart; the service above them (queue-service.ts) is the same whichever is used.
 *
 * A place is a score: arrivals before the sale opens draw a random score in [0, 1), which is the
 * pre-queue shuffle (the draw is kept secret until the opening, so arriving early gains nothing); every
 * later arrival gets 1 + its arrival number, first come first served behind the drawn ones.
 */

export interface QueueGate {
  /** How many places have been admitted (places 1..admitted may hold). */
  admitted: number
}

export interface AdvanceInput {
  nowMs: number
  /** The sale's opening: the gate starts counting here (or at the first look after it). */
  opensAtMs: number
  perMinute: number
  /** False while no ticket is left: the gate stands still, and moves again when tickets come back. */
  flowing: boolean
}

export interface QueueStore {
  /** Puts the browser in the event's queue unless it is already there (keeping its place). */
  join(eventId: string, browserId: string, preQueue: boolean): Promise<void>
  /** The browser's place (1 = first), or undefined when it is not in the queue. */
  position(eventId: string, browserId: string): Promise<number | undefined>
  /**
   * Moves the gate on by `perMinute` for the time since it last moved (only while flowing, never past
   * the queue's length), and answers how many places are admitted. One atomic step in the store.
   */
  advance(eventId: string, input: AdvanceInput): Promise<QueueGate>
  /** When the browser's admission ends: the first call sets it to `untilMs`, later ones keep it. */
  admit(eventId: string, browserId: string, untilMs: number): Promise<number>
  /** Takes the browser out (its admission ran out); joining again puts it at the back. */
  leave(eventId: string, browserId: string): Promise<void>
}

/** The score of an arrival before the opening: a secret random draw in [0, 1). */
export function drawScore(): number {
  const [value] = crypto.getRandomValues(new Uint32Array(1))
  return value! / 2 ** 32
}

/** The gate's next admitted count: grown by the rate over the time passed, while flowing, capped by the queue. */
export function nextAdmitted(admitted: number, advancedAtMs: number, size: number, input: AdvanceInput): number {
  if (!input.flowing) return admitted
  const grown = admitted + Math.max(0, input.nowMs - advancedAtMs) * input.perMinute / 60_000
  return Math.max(admitted, Math.min(grown, size))
}
