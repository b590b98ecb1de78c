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

/** What one look at the queue answers. */
export interface QueueSpot {
  /** The browser's place (1 = first); undefined before the opening, while the pre-queue waits for its draw. */
  position?: number
  /** How many places have been admitted (places 1..admitted may hold). */
  admitted: number
  /** Once the gate has passed the browser's place: the end of its admission, set by its first such look. */
  admittedUntilMs?: number
}

export interface VisitInput {
  /** Before the opening: join the pre-queue (a secret draw), move nothing. */
  preQueue: boolean
  nowMs: number
  perMinute: number
  /**
   * False while no ticket is left: the gate stands still, and moves again when tickets come back; and after
   * the opening a browser without a place gets none (a newcomer could not get a ticket now, so it costs no
   * write, and gets its place at its first look once tickets are back).
   */
  flowing: boolean
  /** How long an admission lasts from the browser's first look after its turn came. */
  admissionMs: number
}

export interface QueueStore {
  /**
   * One look, one atomic step in the store: puts the browser in the event's queue unless it is already
   * there (keeping its place) or nothing flows; after the opening, moves the gate on by `perMinute` for the time since it
   * last moved (only while flowing, never past the places given) and answers the browser's place, and its
   * admission once the gate has passed it (the first such look starts it; later ones keep its end).
   */
  visit(eventId: string, browserId: string, input: VisitInput): Promise<QueueSpot>
  /** Takes the browser out (its admission ran out); its next look puts it at the back. */
  leave(eventId: string, browserId: string): Promise<void>
}

/** The score of an arrival before the opening: a secret random draw in [0, 1). */
export function drawScore(): number {
  const [value] = crypto.getRandomValues(new Uint32Array(1))
  return value! / 2 ** 32
}
