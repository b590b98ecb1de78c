/**
 * Sending payouts with Daraja B2C, on the scheduler's tick like refunds: due payouts, oldest first, a few
 * a run. A payout is marked requested (its OriginatorConversationID and result URL fixed) before Daraja
 * is called, so running the sweep twice sends nothing twice; without the organiser's initiator
 * credentials, or with an amount B2C cannot carry, it waits for the manager to pay it by hand.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { PayoutRow } from '../db/schema.ts'
import type { Scheduler } from '../jobs/scheduler.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'
import { open, seal, type KeyRing } from '../lib/secret-box.ts'
import { darajaClientFor } from '../payments/daraja-access.ts'
import { B2C_MAX_SHILLINGS, B2C_MIN_SHILLINGS, DarajaError } from '../payments/daraja-client.ts'
import { DarajaAuthError } from '../payments/daraja-oauth.ts'
import { loadCredentials } from '../payments/mpesa-credentials.ts'
import type { BackgroundServices } from '../services.ts'
import { lockPayout } from './payout-queries.ts'
import { payoutRefused, payoutTimedOut, payoutToManual } from './payout-results.ts'

/** The payout sweep asks Daraja for at most this many payments a run (one run every 15 s), as refunds do. */
export const PAYOUTS_PER_RUN = 10
/** A request with no result or timeout after this long is taken as timed out (sent again, same id). */
export const REQUEST_STALE_MS = 30 * 60_000

/** Asks for a payout sweep now (after a resale is paid), rather than at the next tick. */
export function queuePayoutSweep(scheduler: Scheduler, now: Date) {
  return scheduler.enqueue({ kind: 'payout-sweep', runAt: now, dedupeKey: `payout-sweep:${Math.floor(now.getTime() / 15_000)}` })
}

/** Why B2C cannot carry this amount, if it cannot: whole shillings, 10 to 250,000. */
function amountProblem(amountMinor: number): string | undefined {
  if (amountMinor % 100 !== 0) return 'amount_not_whole'
  const shillings = amountMinor / 100
  if (shillings < B2C_MIN_SHILLINGS || shillings > B2C_MAX_SHILLINGS) return 'amount_out_of_range'
  return undefined
}

const sealContext = (payoutId: string) => `payout-callback:${payoutId}`

/**
 * The request's OriginatorConversationID and URL secret: those of the request that timed out (sent again
 * as they were), or new ones after a refusal or for a first attempt.
 */
async function requestIdentity(ring: KeyRing, payout: PayoutRow) {
  if (payout.originator_conversation_id && payout.callback_secret_sealed) {
    return { originatorId: payout.originator_conversation_id, secret: await open(ring, payout.callback_secret_sealed, sealContext(payout.id)), fresh: false }
  }
  return { originatorId: `tikiti-${payout.id.slice(0, 8)}-${randomToken(12)}`, secret: randomToken(32), fresh: true }
}

/** Sends one due payout. Safe to run twice: only a `due` payout whose time has come is sent. */
export async function sendPayout(db: Database, services: BackgroundServices, payoutId: string, now: Date): Promise<void> {
  const prepared = await withContext(db, SYSTEM, async (trx) => {
    const payout = await lockPayout(trx, payoutId)
    if (payout?.status !== 'due' || payout.next_attempt_at > now) return undefined
    const ring = services.secretKeys
    const credentials = ring ? await loadCredentials(trx, ring, payout.tenant_id) : undefined
    if (!ring || !credentials?.secrets.initiatorName || !credentials.secrets.securityCredential) {
      await payoutToManual(trx, payout, 'no_initiator', now)
      return undefined
    }
    if (!credentials.b2cShortcode) {
      await payoutToManual(trx, payout, 'no_b2c_shortcode', now)
      return undefined
    }
    const problem = amountProblem(payout.amount_minor)
    if (problem) {
      await payoutToManual(trx, payout, problem, now)
      return undefined
    }
    const origin = await trx.selectFrom('transactions').select('origin').where('id', '=', payout.transaction_id).executeTakeFirst()
    if (!origin?.origin) {
      await payoutToManual(trx, payout, 'no_origin', now)
      return undefined
    }
    const identity = await requestIdentity(ring, payout)
    await trx.updateTable('payouts').set({
      status: 'requested', method: 'b2c', attempts: payout.attempts + 1, originator_conversation_id: identity.originatorId,
      ...(identity.fresh
        ? { callback_secret_hash: await sha256Hex(identity.secret), callback_secret_sealed: await seal(ring, identity.secret, sealContext(payout.id)) }
        : {}),
      updated_at: now,
    }).where('id', '=', payout.id).execute()
    return { payout: { ...payout, attempts: payout.attempts + 1, originator_conversation_id: identity.originatorId }, identity, credentials, origin: origin.origin }
  })
  if (!prepared) return
  const { payout, identity, credentials, origin } = prepared
  const base = `${origin}/payments/mpesa/b2c/${payout.id}/${identity.secret}`
  try {
    const accepted = await darajaClientFor(services.daraja, credentials).b2cPayment({
      originatorConversationId: identity.originatorId, amountMinor: payout.amount_minor, phone: payout.phone,
      resultUrl: `${base}/result`, timeoutUrl: `${base}/timeout`, remarks: 'Tikiti resale payout', occasion: 'Resale',
    })
    await withContext(db, SYSTEM, (trx) => trx.updateTable('payouts').set({ conversation_id: accepted.conversationId, updated_at: now })
      .where('id', '=', payout.id).where('status', '=', 'requested').execute())
  } catch (error) {
    if (!(error instanceof DarajaError || error instanceof DarajaAuthError)) throw error
    await withContext(db, SYSTEM, async (trx) => {
      const current = await lockPayout(trx, payout.id)
      if (current?.status !== 'requested' || current.originator_conversation_id !== identity.originatorId) return
      if (error instanceof DarajaError && error.errorCode === 'unreachable') {
        // we cannot know whether Daraja took it: it stays requested, and its result or timeout (or staleness) decides
        await trx.updateTable('payouts').set({ result_code: 'unconfirmed', updated_at: now }).where('id', '=', payout.id).execute()
        return
      }
      if (!identity.fresh && error instanceof DarajaError && /duplicate/i.test(error.message)) {
        // this id was sent before and timed out: Daraja may have paid it after all. A person checks the statement.
        await payoutToManual(trx, current, 'duplicate_unconfirmed', now, error.message)
        return
      }
      const why = error instanceof DarajaError ? `b2c_${error.errorCode}` : 'auth'
      await payoutRefused(trx, current, why, now, error.message)
    })
  }
}

/**
 * Requests that never heard back (no result, no timeout) are taken as timed out: due again, with the same
 * OriginatorConversationID, so a payment Daraja did make is refused as a duplicate rather than made twice.
 */
async function reviveStaleRequests(db: Database, now: Date) {
  await withContext(db, SYSTEM, async (trx) => {
    const stale = await trx.selectFrom('payouts').selectAll().where('status', '=', 'requested')
      .where('updated_at', '<', new Date(now.getTime() - REQUEST_STALE_MS)).orderBy('updated_at').limit(PAYOUTS_PER_RUN).forUpdate().skipLocked().execute()
    for (const payout of stale) await payoutTimedOut(trx, payout, 'no_answer', now)
  })
}

/** The payout sweep (every tick): due payouts, oldest first, at most PAYOUTS_PER_RUN. Returns how many were tried. */
export async function sweepPayouts(db: Database, services: BackgroundServices, now: Date, limit = PAYOUTS_PER_RUN): Promise<number> {
  await reviveStaleRequests(db, now)
  const due = await withContext(db, SYSTEM, (trx) => trx.selectFrom('payouts').select('id')
    .where('status', '=', 'due').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id').limit(limit).execute())
  for (const payout of due) await sendPayout(db, services, payout.id, now)
  return due.length
}
