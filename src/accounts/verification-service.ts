/**
 * Confirming an email (by link) or a phone (by a WhatsApp code), and claiming the tickets bought as a
 * guest with that email or phone. Only confirmed contacts claim, so nobody takes another's tickets.
 */
import type { Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { randomDigits } from '../lib/crypto.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import { throttle, type AccountDeps } from './auth-service.ts'
import { consumeToken, issueToken, tokenOwner, voidTokens } from './one-time-tokens.ts'

const PHONE_CODE_TTL_MS = 10 * 60 * 1000
export const PHONE_RULES = {
  codesPerAccount: { limit: 5, windowSeconds: 60 * 60 },
  attemptsPerAccount: { limit: 5, windowSeconds: 10 * 60 },
}

/** Moves tickets (and their payments, transfers, listings and payouts) from guest records with this contact to the account. */
export async function claimGuestTickets(db: Queryable, userId: string, contact: { email?: string; phone?: string }) {
  const guests = await db.selectFrom('users').select('id')
    .where('is_guest', '=', true)
    .where((eb) => eb.or([
      ...(contact.email ? [eb(eb.fn('lower', ['email']), '=', contact.email.toLowerCase())] : []),
      ...(contact.phone ? [eb('phone', '=', contact.phone)] : []),
    ]))
    .execute()
  if (guests.length === 0) return 0
  const guestIds = guests.map((guest) => guest.id)
  const moved = await db.updateTable('tickets').set({ user_id: userId }).where('user_id', 'in', guestIds).executeTakeFirst()
  await db.updateTable('tickets').set({ original_user_id: userId }).where('original_user_id', 'in', guestIds).execute()
  await db.updateTable('transactions').set({ user_id: userId }).where('user_id', 'in', guestIds).execute()
  // what the guest was doing with those tickets goes with them: transfers they started (pending ones the
  // account confirms, pays or cancels) or received, listings they made or bought, payouts owed to them
  await db.updateTable('transfers').set({ from_user_id: userId }).where('from_user_id', 'in', guestIds).execute()
  await db.updateTable('transfers').set({ to_user_id: userId }).where('to_user_id', 'in', guestIds).execute()
  await db.updateTable('marketplace_listings').set({ seller_id: userId }).where('seller_id', 'in', guestIds).execute()
  await db.updateTable('marketplace_listings').set({ buyer_id: userId }).where('buyer_id', 'in', guestIds).execute()
  await db.updateTable('payouts').set({ seller_id: userId }).where('seller_id', 'in', guestIds).execute()
  return Number(moved.numUpdatedRows)
}

/** Confirms the email a link was sent to; returns how many guest tickets joined the account. */
export async function verifyEmail(deps: AccountDeps, token: string): Promise<number> {
  return withContext(deps.db, SYSTEM, async (trx) => {
    const used = await consumeToken(trx, 'email_verification', token, deps.now)
    const userId = used && tokenOwner(used)
    if (!used || !userId) throw new DomainError(400, 'invalid_token', 'account.verifyInvalid')
    await voidTokens(trx, 'email_verification', userId, deps.now)
    const user = await trx.updateTable('users').set({ email_verified_at: deps.now })
      .where('id', '=', userId).where((eb) => eb(eb.fn('lower', ['email']), '=', used.target))
      .returning('id').executeTakeFirst()
    if (!user) throw new DomainError(400, 'invalid_token', 'account.verifyInvalid')
    return claimGuestTickets(trx, userId, { email: used.target })
  })
}

export async function sendPhoneCode(deps: AccountDeps, userId: string, phone: string) {
  await throttle(deps, 'otp:account', userId, PHONE_RULES.codesPerAccount)
  const code = randomDigits(6)
  await withContext(deps.db, SYSTEM, async (trx) => {
    await voidTokens(trx, 'phone_verification', userId, deps.now)
    await issueToken(trx, {
      purpose: 'phone_verification', userId, bindToUser: true, target: phone, ttlMs: PHONE_CODE_TTL_MS, now: deps.now, secret: code,
    })
    // the person asked for this code on the site: a reply they expect, not a conversation we start
    await enqueueNotification(trx, {
      type: 'verification_code', channel: 'whatsapp', phone, tenantId: null, userId, lang: deps.lang, now: deps.now,
      ring: deps.secretKeys, secrets: { code },
    })
  })
}

/** Confirms the phone the code went to, saves it on the account, and claims its guest tickets. */
export async function verifyPhoneCode(deps: AccountDeps, userId: string, code: string): Promise<number> {
  await throttle(deps, 'otp-verify:account', userId, PHONE_RULES.attemptsPerAccount)
  return withContext(deps.db, SYSTEM, async (trx) => {
    const used = await consumeToken(trx, 'phone_verification', code, deps.now, userId)
    if (!used) throw new DomainError(400, 'invalid_code', 'account.phone.wrongCode')
    await trx.updateTable('users').set({ phone: used.target, phone_verified_at: deps.now }).where('id', '=', userId).execute()
    return claimGuestTickets(trx, userId, { phone: used.target })
  })
}

/** A guest buyer: a phone number (and maybe an email) standing in for an account until one claims it. */
export async function createGuest(db: Queryable, contact: { phone: string; email?: string | null }) {
  return db.insertInto('users').values({ is_guest: true, phone: contact.phone, email: contact.email ?? null })
    .returning('id').executeTakeFirstOrThrow()
}

/** A guest buyer by id (what a guest link signs in as); undefined for an account that is not a guest. */
export function findGuest(db: Queryable, userId: string) {
  return db.selectFrom('users').select(['id', 'role']).where('id', '=', userId).where('is_guest', '=', true).executeTakeFirst()
}
