/**
 * How many open holds one buyer may have per event, and who "one buyer" is. Without a cap, one
 * anonymous client could hold a whole ticket type with repeated calls, each within the per-order
 * maximum. The count itself runs inside the hold's transaction (hold_tickets(), migrations/0009) and
 * the payment's (checkout-service.ts), under an advisory lock, so parallel requests cannot all pass it.
 */
import type { Context } from 'hono'
import { sql } from 'kysely'
import type { AppConfig } from '../config.ts'
import type { Queryable } from '../db/database.ts'
import { DomainError } from '../lib/domain-errors.ts'
import type { AppEnv } from '../http/app-env.ts'
import { sha256Hex } from '../lib/crypto.ts'

/** Open holds per client per event: enough for a buyer who holds for friends separately. */
export const DEFAULT_HOLDS_PER_CLIENT = 5
/** Open holds per paying phone per event. */
export const DEFAULT_HOLDS_PER_PHONE = 3

export function holdLimits(config: AppConfig) {
  return {
    perClient: config.holdsPerClient ?? DEFAULT_HOLDS_PER_CLIENT,
    perPhone: config.holdsPerPhone ?? DEFAULT_HOLDS_PER_PHONE,
  }
}

/**
 * Who is asking for a hold, as reservations.client_key: the signed-in user, else the client's
 * address, else the browser's own random id (the hold form's `__Host-holder` cookie). Addresses and
 * browser ids are hashed: no personal data in the row. Undefined when nothing identifies the caller.
 */
export async function holdClientKey(c: Context<AppEnv>, browserId?: string): Promise<string | undefined> {
  if (c.var.user) return `user:${c.var.user.id}`
  const address = c.var.services.clientIp(c)
  if (address && address !== 'unknown') return `address:${(await sha256Hex(`hold-client|${address}`)).slice(0, 40)}`
  if (browserId) return `browser:${(await sha256Hex(`hold-client|${browserId}`)).slice(0, 40)}`
  return undefined
}

/**
 * Refuses one more hold (a resale listing's; ticket holds count theirs inside hold_tickets()) when the
 * client already has `max` open holds of the event (0: no cap), under the same advisory lock on (event,
 * client) as hold_tickets(), so the two kinds of hold share one count.
 */
export async function refuseTooManyClientHolds(trx: Queryable, eventId: string, clientKey: string | undefined, max: number, now: Date): Promise<void> {
  if (!clientKey || max <= 0) return
  await sql`select pg_advisory_xact_lock(hashtextextended(${`open-holds:${eventId}:${clientKey}`}, 0))`.execute(trx)
  const { open } = await trx.selectFrom('reservations').select((eb) => eb.fn.countAll<string>().as('open'))
    .where('event_id', '=', eventId).where('client_key', '=', clientKey).where('status', '=', 'held').where('expires_at', '>', now)
    .executeTakeFirstOrThrow()
  if (Number(open) >= max) throw new DomainError(429, 'too_many_holds', 'reserve.tooManyHolds', { count: max, max, name: '' })
}

/**
 * Refuses a payment prompt to `phone` for a hold when that phone is already paying (or has tried to
 * pay) for `max` other open holds of the event (0: no cap). Runs inside the payment's transaction,
 * under an advisory lock on (event, phone): two prompts to one phone at once are counted one after
 * the other.
 */
export async function refuseTooManyPhoneHolds(
  trx: Queryable, hold: { eventId: string; reservationId: string }, phone: string, max: number, now: Date,
): Promise<void> {
  if (max <= 0) return
  await sql`select pg_advisory_xact_lock(hashtextextended(${`phone-holds:${hold.eventId}:${phone}`}, 0))`.execute(trx)
  const { open } = await trx.selectFrom('reservations as r').select((eb) => eb.fn.countAll<string>().as('open'))
    .where('r.event_id', '=', hold.eventId).where('r.id', '<>', hold.reservationId)
    .where('r.status', '=', 'held').where('r.expires_at', '>', now)
    .where(({ exists, selectFrom }) => exists(selectFrom('transactions as p').select('p.id')
      .whereRef('p.reservation_id', '=', 'r.id').where('p.mpesa_phone', '=', phone)))
    .executeTakeFirstOrThrow()
  if (Number(open) >= max) throw new DomainError(429, 'too_many_phone_holds', 'reserve.tooManyPhoneHolds', { count: max })
}
