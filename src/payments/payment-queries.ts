/** SQL for payments: the transaction rows, flags, and what the buyer and the manager read of them. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { PaymentFlagKind } from '../db/schema.ts'

export function lockTransaction(trx: Queryable, id: string) {
  return trx.selectFrom('transactions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export function findTransaction(trx: Queryable, id: string) {
  return trx.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirst()
}

export function pendingTransactionOf(trx: Queryable, reservationId: string) {
  return trx.selectFrom('transactions').selectAll()
    .where('reservation_id', '=', reservationId).where('status', '=', 'pending').executeTakeFirst()
}

/**
 * Failed attempts from this phone, or this signed-in buyer, since `since`. Pushes Daraja refused
 * (our configuration, its outage) are not the buyer's failures and do not count.
 */
export async function recentFailures(trx: Queryable, phone: string, userId: string | null, since: Date): Promise<number> {
  const row = await trx.selectFrom('transactions').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('status', '=', 'failed').where('created_at', '>=', since)
    .where((eb) => eb.or([eb('failure_reason', 'is', null), eb('failure_reason', 'not like', 'push_refused%')]))
    .where((eb) => userId ? eb.or([eb('mpesa_phone', '=', phone), eb('user_id', '=', userId)]) : eb('mpesa_phone', '=', phone))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A flag for the manager; the same kind is raised once per transaction. */
export async function raiseFlag(
  trx: Queryable, flag: { tenantId: string; eventId: string; transactionId: string; kind: PaymentFlagKind; detail?: Record<string, unknown> },
) {
  await trx.insertInto('payment_flags').values({
    tenant_id: flag.tenantId, event_id: flag.eventId, transaction_id: flag.transactionId, kind: flag.kind, detail: flag.detail ?? {},
  }).onConflict((oc) => oc.columns(['transaction_id', 'kind']).doNothing()).execute()
}

/** However many prompts are sent, a hold never outlasts its start by more than this. */
const MAX_HOLD_WITH_PROMPTS = '30 minutes'

/**
 * Keeps the hold (reservation and its rows) at least until `until` while a prompt is on the buyer's
 * phone, within a cap, so repeated prompts cannot keep tickets off sale indefinitely.
 */
export async function extendHold(trx: Queryable, reservationId: string, until: Date, now: Date) {
  const { expires_at: expiresAt } = await trx.updateTable('reservations')
    .set({ expires_at: sql`greatest(expires_at, least(${until}::timestamptz, created_at + ${MAX_HOLD_WITH_PROMPTS}::interval))`, updated_at: now })
    .where('id', '=', reservationId).returning('expires_at').executeTakeFirstOrThrow()
  await sql`update tickets set claimable_after = ${expiresAt}, reserved_until = ${expiresAt}
    where reservation_id = ${reservationId} and status = 'pending_payment'`.execute(trx)
}

/** Records Daraja's CheckoutRequestID when a callback overtook our own record of the push (never overwrites one). */
export async function recordCheckoutRequestId(trx: Queryable, paymentId: string, checkoutRequestId: string) {
  await trx.updateTable('transactions').set({ checkout_request_id: checkoutRequestId })
    .where('id', '=', paymentId).where('checkout_request_id', 'is', null).execute()
}
