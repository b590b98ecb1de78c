/**
 * Turning a paid reservation into tickets with signed codes, once however often it is asked (payment
 * callbacks repeat), reissuing a code (the old version stops admitting), and the server's check of a
 * scanned code: signature, event, and that its version is the ticket's current one.
 */
import { sql } from 'kysely'
import type { Transaction } from 'kysely'
import type { Database, Queryable } from '../db/database.ts'
import type { DB } from '../db/schema.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { assertTicketTransition, moveTickets, statesBefore } from './lifecycle.ts'
import { readUnverifiedClaims, signTicketCode, verifyTicketCode, type VerifyFailure } from './signed-code.ts'
import { claimRowsForPayment } from './paid-claims.ts'
import { currentSigningKey, publicKeysOf } from './signing-keys.ts'

export interface IssueOptions {
  /** Whose tickets they become; by default the reservation's buyer. */
  userId?: string | null
  /** The payment that bought them. */
  transactionId?: string | null
}

/** Issues the reservation's tickets (status active, signed code, QR version 1). Returns their ids. */
export async function issueTickets(db: Database, ring: KeyRing | undefined, reservationId: string, now: Date): Promise<string[]> {
  return withContext(db, SYSTEM, (trx) => issueReservationTickets(trx, ring, reservationId, now))
}

/**
 * The same, inside the caller's transaction (a payment completes in one transaction with its tickets).
 * Once paid, asking again returns the same tickets. A hold that lapsed keeps its sale when free rows
 * allow (src/tickets/paid-claims.ts); otherwise DomainError 'hold_lost' and nothing changes.
 */
export async function issueReservationTickets(
  trx: Transaction<DB>, ring: KeyRing | undefined, reservationId: string, now: Date, options: IssueOptions = {},
): Promise<string[]> {
  const reservation = await trx.selectFrom('reservations').selectAll().where('id', '=', reservationId).forUpdate().executeTakeFirst()
  if (!reservation) throw new NotFoundError()
  if (reservation.status === 'paid') {
    const sold = await trx.selectFrom('tickets').select('id').where('reservation_id', '=', reservationId).orderBy('id').execute()
    return sold.map((ticket) => ticket.id)
  }
  const ticketIds = await claimRowsForPayment(trx, reservation, now)
  if (!ticketIds) throw new DomainError(409, 'hold_lost', 'tickets.holdLost')
  const tickets = await trx.selectFrom('tickets').select(['id', 'status', 'ticket_type_id'])
    .where('id', 'in', ticketIds).orderBy('id').execute()
  const userId = options.userId === undefined ? reservation.user_id : options.userId
  const key = await currentSigningKey(trx, ring, reservation.tenant_id)
  // paid (one statement for the lot), then each active with its signed code: both steps of the table
  await moveTickets(trx, ['pending_payment'], 'paid', { ids: tickets.map((ticket) => ticket.id) }, {
    claimable_after: sql<Date>`'infinity'::timestamptz`, reserved_until: null,
    user_id: userId, original_user_id: userId, transaction_id: options.transactionId ?? null,
  }, now)
  for (const ticket of tickets) {
    assertTicketTransition(ticket.status, 'paid')
    const code = await signTicketCode({
      keyId: key.keyId, ticketId: ticket.id, eventId: reservation.event_id, qrVersion: 1, issuedAt: now,
    }, key.privateKey)
    await moveTickets(trx, ['paid'], 'active', { ids: [ticket.id] }, { qr_code: code, qr_version: 1 }, now)
  }
  // in type order, so two purchases of the same two types never lock them in opposite orders
  for (const [typeId, count] of [...countBy(tickets.map((ticket) => ticket.ticket_type_id))].sort(([a], [b]) => a.localeCompare(b))) {
    await trx.updateTable('ticket_types').set((eb) => ({ sold: eb('sold', '+', count) })).where('id', '=', typeId).execute()
  }
  await trx.updateTable('reservations').set({ status: 'paid', user_id: userId, updated_at: now }).where('id', '=', reservationId).execute()
  return tickets.map((ticket) => ticket.id)
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return counts
}

/** A new code for an active ticket (after a transfer, or on request): the old one stops admitting. */
export async function reissueTicketCode(db: Database, ring: KeyRing | undefined, ticketId: string, now: Date): Promise<string> {
  return withContext(db, SYSTEM, async (trx) => {
    const ticket = await trx.selectFrom('tickets').select(['id', 'tenant_id', 'event_id', 'status', 'qr_version'])
      .where('id', '=', ticketId).forUpdate().executeTakeFirst()
    if (!ticket) throw new NotFoundError()
    if (ticket.status !== 'active') throw new DomainError(409, 'illegal_ticket_transition', 'tickets.illegalTransition')
    const { qrVersion, code } = await nextTicketCode(trx, ring, ticket, now)
    await trx.updateTable('tickets').set({ qr_code: code, qr_version: qrVersion, updated_at: now }).where('id', '=', ticketId).execute()
    return code
  })
}

/**
 * A signed code for the ticket's next QR version, for the caller to store with that version (a resale, a
 * reissue): from then on a code of any earlier version is refused at the gate as an old version.
 */
export async function nextTicketCode(
  trx: Queryable, ring: KeyRing | undefined, ticket: { id: string; tenant_id: string; event_id: string; qr_version: number }, now: Date,
): Promise<{ qrVersion: number; code: string }> {
  const key = await currentSigningKey(trx, ring, ticket.tenant_id)
  const qrVersion = ticket.qr_version + 1
  const code = await signTicketCode({ keyId: key.keyId, ticketId: ticket.id, eventId: ticket.event_id, qrVersion, issuedAt: now }, key.privateKey)
  return { qrVersion, code }
}

export type CodeCheck =
  | { ok: true; ticketId: string; eventId: string; status: string }
  | { ok: false; reason: VerifyFailure | 'superseded' | 'not_issued' | 'cancelled' }

/** The server's check of a scanned code: signed by the event's tenant, for this event, and current. */
export async function checkTicketCode(db: Database, code: string, options: { eventId?: string; now: Date }): Promise<CodeCheck> {
  return withContext(db, SYSTEM, async (trx) => {
    const unverified = readUnverifiedClaims(code)
    if (!unverified) return { ok: false, reason: 'malformed' }
    const event = await trx.selectFrom('events').select('tenant_id').where('id', '=', unverified.eventId).executeTakeFirst()
    const keys = event ? await publicKeysOf(trx, event.tenant_id) : new Map<number, CryptoKey>()
    const result = await verifyTicketCode(code, (keyId) => keys.get(keyId), { eventId: options.eventId, now: options.now })
    if (!result.ok) return result
    const ticket = await trx.selectFrom('tickets').select(['id', 'event_id', 'status', 'qr_version'])
      .where('id', '=', result.claims.ticketId).executeTakeFirst()
    if (!ticket || ticket.event_id !== result.claims.eventId || statesBefore('paid').includes(ticket.status)) {
      return { ok: false, reason: 'not_issued' }
    }
    // a cancelled ticket (its event cancelled, or refunded) is refused whatever its code's version
    if (ticket.status === 'cancelled') return { ok: false, reason: 'cancelled' }
    if (ticket.qr_version !== result.claims.qrVersion) return { ok: false, reason: 'superseded' }
    return { ok: true, ticketId: ticket.id, eventId: ticket.event_id, status: ticket.status }
  })
}
