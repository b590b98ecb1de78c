/**
 * Turning a paid reservation into tickets with signed codes, once however often it is asked (payment
 * callbacks repeat), reissuing a code (the old version stops admitting), and the server's check of a
 * scanned code: signature, event, and that its version is the ticket's current one.
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError, NotFoundError } from '../http/errors.tsx'
import type { KeyRing } from '../lib/secret-box.ts'
import { assertTicketTransition, statesBefore } from './lifecycle.ts'
import { readUnverifiedClaims, signTicketCode, verifyTicketCode, type VerifyFailure } from './signed-code.ts'
import { currentSigningKey, publicKeysOf } from './signing-keys.ts'

/** Issues the reservation's tickets (status active, signed code, QR version 1). Returns their ids. */
export async function issueTickets(db: Database, ring: KeyRing | undefined, reservationId: string, now: Date): Promise<string[]> {
  return withContext(db, SYSTEM, async (trx) => {
    const reservation = await trx.selectFrom('reservations').selectAll().where('id', '=', reservationId).forUpdate().executeTakeFirst()
    if (!reservation) throw new NotFoundError()
    const tickets = await trx.selectFrom('tickets').select(['id', 'status', 'ticket_type_id'])
      .where('reservation_id', '=', reservationId).orderBy('id').execute()
    if (reservation.status === 'paid') return tickets.map((ticket) => ticket.id)
    // a late payment keeps its tickets only if nobody has claimed them since the hold lapsed
    const expected = await trx.selectFrom('tickets').select((eb) => eb.fn.countAll<number>().as('n'))
      .where('reservation_id', '=', reservationId).where('status', '=', 'pending_payment').executeTakeFirstOrThrow()
    if (reservation.status !== 'held' || Number(expected.n) === 0) throw new DomainError(409, 'hold_lost', 'tickets.holdLost')
    const key = await currentSigningKey(trx, ring, reservation.tenant_id)
    for (const ticket of tickets) {
      assertTicketTransition(ticket.status, 'paid')
      const code = await signTicketCode({
        keyId: key.keyId, ticketId: ticket.id, eventId: reservation.event_id, qrVersion: 1, issuedAt: now,
      }, key.privateKey)
      await trx.updateTable('tickets').set({
        status: 'active', claimable_after: sql`'infinity'::timestamptz`, reserved_until: null, qr_code: code, qr_version: 1,
        user_id: reservation.user_id, original_user_id: reservation.user_id, updated_at: now,
      }).where('id', '=', ticket.id).where('status', '=', 'pending_payment').execute()
    }
    for (const [typeId, count] of countBy(tickets.map((ticket) => ticket.ticket_type_id))) {
      await trx.updateTable('ticket_types').set((eb) => ({ sold: eb('sold', '+', count) })).where('id', '=', typeId).execute()
    }
    await trx.updateTable('reservations').set({ status: 'paid', updated_at: now }).where('id', '=', reservationId).execute()
    return tickets.map((ticket) => ticket.id)
  })
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
    const key = await currentSigningKey(trx, ring, ticket.tenant_id)
    const qrVersion = ticket.qr_version + 1
    const code = await signTicketCode({ keyId: key.keyId, ticketId, eventId: ticket.event_id, qrVersion, issuedAt: now }, key.privateKey)
    await trx.updateTable('tickets').set({ qr_code: code, qr_version: qrVersion, updated_at: now }).where('id', '=', ticketId).execute()
    return code
  })
}

export type CodeCheck =
  | { ok: true; ticketId: string; eventId: string; status: string }
  | { ok: false; reason: VerifyFailure | 'superseded' | 'not_issued' }

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
    if (ticket.qr_version !== result.claims.qrVersion) return { ok: false, reason: 'superseded' }
    return { ok: true, ticketId: ticket.id, eventId: ticket.event_id, status: ticket.status }
  })
}
