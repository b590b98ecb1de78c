/**
 * The link in a payment-failed message: it reopens the same hold on any device, once, while the hold
 * runs. Using it gives the hold a new token (the old device's cookie stops working): whoever holds the
 * link sent to the paying phone or email is the buyer.
 */
import { consumeToken, issueToken } from '../accounts/one-time-tokens.ts'
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'

/** A secret for the link, valid until the hold ends (at least a minute). */
export async function issueResumeSecret(trx: Queryable, reservationId: string, now: Date): Promise<string | undefined> {
  const hold = await trx.selectFrom('reservations').select(['status', 'expires_at']).where('id', '=', reservationId).executeTakeFirst()
  if (hold?.status !== 'held' || hold.expires_at <= now) return undefined
  return issueToken(trx, {
    purpose: 'reservation_resume', userId: null, target: reservationId, now,
    ttlMs: Math.max(60_000, hold.expires_at.getTime() - now.getTime()),
  })
}

/** Uses the link: the hold's id and its new token, or undefined when the link or the hold is over. */
export function resumeReservation(db: Database, secret: string, now: Date): Promise<{ id: string; token: string } | undefined> {
  return withContext(db, SYSTEM, async (trx) => {
    const used = await consumeToken(trx, 'reservation_resume', secret, now)
    if (!used) return undefined
    const token = randomToken(32)
    const hold = await trx.updateTable('reservations').set({ access_token_hash: await sha256Hex(token), updated_at: now })
      .where('id', '=', used.target).where('status', '=', 'held').where('expires_at', '>', now).returning('id').executeTakeFirst()
    return hold ? { id: hold.id, token } : undefined
  })
}

/** A signed-in buyer's own running hold, opened on this device: a new token (the old device's cookie stops working). */
export function continueHoldHere(db: Database, reservationId: string, userId: string, now: Date): Promise<{ id: string; token: string } | undefined> {
  return withContext(db, SYSTEM, async (trx) => {
    const token = randomToken(32)
    const hold = await trx.updateTable('reservations').set({ access_token_hash: await sha256Hex(token), updated_at: now })
      .where('id', '=', reservationId).where('user_id', '=', userId).where('status', '=', 'held').where('expires_at', '>', now)
      .returning('id').executeTakeFirst()
    return hold ? { id: hold.id, token } : undefined
  })
}
