/**
 * The rule for Idempotency-Keys. The replay of a key hands back the reservation's token, so the key is
 * what proves the right to it: it must be a random secret of at least 128 bits, whoever sends it. Keys
 * are also scoped to the caller (a signed-in user's keys replay for that user only), yet signed-in
 * callers get the same rule: their token is derived from the key, the event and their user id (see
 * reservations.ts), none of which needs their session, so a guessable key would be a guessable token.
 *
 * No check can tell a random key from a cleverly made-up one; these refuse the made-up keys clients
 * actually send (counters, order numbers, time-based UUIDs) while a random key is refused with odds
 * below one in a billion (tests/tickets/reservations.test.ts tries hundreds of them; the odds of each check are
 * noted beside it, for the shortest keys: 22 base64url characters, 32 hex digits).
 */

/** The rule in one paragraph, for the API's documentation (the message catalog says it to buyers). */
export const IDEMPOTENCY_KEY_RULE = 'The key must be a random secret of at least 128 bits from a cryptographic generator: ' +
  '22 to 200 base64url characters (A-Z a-z 0-9 - _), 32 to 200 hexadecimal digits, or a version 4 UUID ' +
  '(`crypto.randomUUID()`, 122 random bits). Keys with a visible pattern are refused: a UUID of another version ' +
  '(time-based v1, v6, v7; name-based v3, v5), fewer than 7 different characters, one piece repeated, 12 characters in ' +
  'sequence (`0123456789ab`, `zyxwvutsrqpo`, `aaaaaaaaaaaa`), or only lowercase words and numbers joined by - or _ ' +
  '(`order-2026-12-01-000001`).'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** A run this long of characters in sequence (32 random hex digits: about 4 in 10^12). */
const SEQUENCE_RUN = 12
/** Fewer different characters than this (32 random hex digits: 2 in 10^10; 22 base64url: 2 in 10^15). */
const MIN_DISTINCT = 7
/** The orders "in sequence" follows: digits run on into letters, as in hexadecimal. */
const SEQUENCES = ['0123456789abcdefghijklmnopqrstuvwxyz', '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ']

/**
 * Whether `key` may be an Idempotency-Key (IDEMPOTENCY_KEY_RULE). A UUID is judged by its version, then
 * by its 32 hex digits. A version 1 UUID with its dashes taken out cannot be told from random hex digits:
 * the rule asks for random bytes or a version 4 UUID.
 */
export function idempotencyKeyIsStrong(key: string): boolean {
  if (UUID.test(key)) {
    // the version nibble, and the RFC 9562 variant (10xx)
    if (key[14] !== '4' || !/[89ab]/i.test(key[19]!)) return false
    return hasNoPattern(key.replace(/-/g, ''))
  }
  if (!/^[A-Za-z0-9_-]{22,200}$/.test(key)) return false
  // 32 hex = 22 base64url = 128 bits
  if (/^[0-9a-fA-F]+$/.test(key) && key.length < 32) return false
  return hasNoPattern(key) && !isTemplate(key)
}

function hasNoPattern(text: string): boolean {
  return new Set(text).size >= MIN_DISTINCT && !repeatsItself(text) && longestSequence(text) < SEQUENCE_RUN
}

/** `text` is a shorter piece over and over (`Xq7_Lm2pXq7_Lm2p…`). At random: about 1 in 16^16. */
function repeatsItself(text: string): boolean {
  for (let period = 1; period <= text.length / 2; period++) {
    if (text.slice(period) === text.slice(0, text.length - period)) return true
  }
  return false
}

/** How far two characters lie apart in one of SEQUENCES (-1, 0, +1), or undefined when not next to each other. */
function stepBetween(from: string, to: string): number | undefined {
  if (from === to) return 0
  for (const order of SEQUENCES) {
    const a = order.indexOf(from)
    const b = order.indexOf(to)
    if (a >= 0 && b >= 0 && Math.abs(b - a) === 1) return b - a
  }
  return undefined
}

/** The longest run of characters each one step on (or back, or the same) from the one before. */
function longestSequence(text: string): number {
  let longest = 1
  let run = 1
  let step: number | undefined
  for (let i = 1; i < text.length; i++) {
    const next = stepBetween(text[i - 1]!, text[i]!)
    run = next !== undefined && next === step ? run + 1 : 2
    step = next
    if (step === undefined) run = 1
    longest = Math.max(longest, run)
  }
  return longest
}

/**
 * Lowercase words and numbers joined by - or _, three parts or more, one a number of 2+ digits
 * (`order-2026-12-01-000001`, `user-42-checkout-attempt-1`). At random: about 4 in 10^10. Words have
 * at most 20 letters and numbers 10 digits, so a label before random bytes (`order-42-<32 hex digits>`)
 * is never one, and a label before a UUID (`order-<uuid>`, whose groups may come out all digits) about
 * 1 in 10^9.
 */
function isTemplate(key: string): boolean {
  const parts = key.split(/[-_]/)
  return parts.length >= 3 && parts.every((part) => /^(?:[a-z]{1,20}|\d{1,10})$/.test(part)) && parts.some((part) => /^\d{2,}$/.test(part))
}
