/**
 * Holding tickets for a buyer while they pay. One transaction: the idempotency key (a repeated request
 * gets the same reservation, as it is now), the cap on the client's open holds (hold-limits.ts), the checks (event
 * selling, sales windows, per-order maximum), then one all-or-nothing claim per ticket type (the claim
 * of src/tickets/inventory.ts). If any type runs short, nothing is held.
 *
 * Two things keep a rush cheap: a type the database has just refused as sold out is refused here at once
 * (sold-out-memory.ts), and holds arriving together share one transaction (hold-group-commit.ts).
 */
import { sql } from 'kysely'
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import type { MessageKey } from '../i18n/index.ts'
import { base64Url, constantTimeEqualText, hmacSha256, randomToken, sha256Hex } from '../lib/crypto.ts'
import { idempotencyKeyIsStrong } from './idempotency-key.ts'
import { moveTickets } from './lifecycle.ts'
import { holdInGroup, type GroupCommit, type GroupHold, type HoldAnswer } from './hold-group-commit.ts'
import { knownSoldOut, rememberSoldOut } from './sold-out-memory.ts'

export interface ReservationItemRequest {
  ticketTypeId: string
  quantity: number
}

export interface ReservationRequest {
  eventId: string
  items: ReservationItemRequest[]
  userId: string | null
  idempotencyKey?: string
  /** Who asks (see holdClientKey): their open holds for the event are capped at `maxOpenHolds` (0: no cap). */
  clientKey?: string
  maxOpenHolds?: number
  /** Share a transaction with the event's other holds arriving now (holdGroupCommit(config)); absent: one transaction. */
  groupCommit?: GroupCommit
  now: Date
}

export interface ReservationJson {
  id: string
  eventId: string
  status: 'held' | 'paid' | 'expired' | 'cancelled'
  expiresAt: string
  items: Array<{ ticketTypeId: string; name: string; quantity: number; unitPriceMinor: number; subtotalMinor: number }>
  total: { amountMinor: number; currency: string }
  /**
   * In the answer that created the reservation, and in a replay of its Idempotency-Key: authorises the
   * buyer's later calls.
   */
  token?: string
  /** Once paid: each ticket with its signed code (what its QR shows) and the code's version. */
  tickets?: Array<{ id: string; ticketTypeId: string; status: string; qrVersion: number; code: string | null }>
}

async function requestHash(request: ReservationRequest): Promise<string> {
  const items = [...request.items].sort((a, b) => a.ticketTypeId.localeCompare(b.ticketTypeId))
  return sha256Hex(JSON.stringify({ eventId: request.eventId, items }))
}

/**
 * The token of a reservation made with an Idempotency-Key: HMAC-SHA-256 under the key, of the event
 * and the caller. Deriving it (rather than storing it, even encrypted) means the database holds nothing
 * that yields the token (the key's SHA-256, the token's SHA-256), while whoever replays the key gets
 * the same token again.
 */
async function reservationTokenFor(idempotencyKey: string, eventId: string, userId: string | null): Promise<string> {
  return base64Url(await hmacSha256(idempotencyKey, `tikiti reservation token|${eventId}|${userId ?? 'anonymous'}`))
}

const HOLD_ERRORS: Record<string, { status: 404 | 409 | 422 | 429; key: MessageKey }> = {
  not_on_sale: { status: 409, key: 'reserve.notOnSale' },
  sold_out: { status: 409, key: 'reserve.soldOut' },
  sales_closed: { status: 409, key: 'reserve.salesClosed' },
  sales_not_started: { status: 409, key: 'reserve.salesNotStarted' },
  event_ended: { status: 409, key: 'reserve.eventEnded' },
  unknown_ticket_type: { status: 422, key: 'reserve.unknownType' },
  over_max_per_order: { status: 422, key: 'reserve.overMax' },
  idempotency_key_reused: { status: 422, key: 'reserve.idempotencyMismatch' },
  too_many_holds: { status: 429, key: 'reserve.tooManyHolds' },
}

/**
 * hold_tickets() raises 'TK404' / 'TK409' / 'TK422' / 'TK429' with the code as message and details in
 * DETAIL (hold_tickets_batch() answers the same three as fields). A sold-out refusal is remembered
 * (sold-out-memory.ts): its DETAIL is `name||claimable|next hold expiry|type id`.
 */
function holdError(error: unknown, request: ReservationRequest): unknown {
  const { code, message, detail } = error as { code?: string; message?: string; detail?: string }
  if (code === 'TK404') return new NotFoundError()
  if (!code?.startsWith('TK') || !message) return error
  const known = HOLD_ERRORS[message]
  if (!known) return error
  const [name = '', max = '', claimable = '', nextExpiry = '', typeId = ''] = (detail ?? '').split('|')
  if (message === 'sold_out' && typeId) {
    rememberSoldOut({
      eventId: request.eventId, typeId, name, claimable: Number(claimable) || 0,
      nextExpiry: nextExpiry ? new Date(nextExpiry) : null, now: request.now,
    })
  }
  return new DomainError(known.status, message, known.key, { name, max, count: max })
}

/**
 * Holds tickets. The work is one call to hold_tickets() (see migrations), or a place in the event's next
 * group (hold_tickets_batch()): one round trip, because the flash-sale benchmark showed holds bound by
 * database round trips. The functions set the same transaction-scoped context withContext sets.
 *
 * A request for a type the database refused as sold out a moment ago is refused without a write: with
 * no Idempotency-Key without touching the database at all, with one after a read that finds the key
 * unused (a retried hold still gets its reservation).
 */
export async function createReservation(db: Database, request: ReservationRequest): Promise<{ created: boolean; reservation: ReservationJson }> {
  const key = request.idempotencyKey
  if (key !== undefined && !idempotencyKeyIsStrong(key)) throw new DomainError(422, 'weak_idempotency_key', 'reserve.weakKey')
  // the fast path first, before any hashing: digests were a fifth of the server's CPU in a sold-out rush
  const soldOut = knownSoldOut(request.eventId, request.items, request.now)
  if (soldOut !== undefined && key === undefined) throw soldOutError(soldOut)
  const keyHash = key === undefined ? null : await sha256Hex(key)
  const requestHashed = await requestHash(request)
  let answer: HoldAnswer | null = null
  if (soldOut !== undefined) {
    answer = await replayOf(db, request, keyHash!, requestHashed)
    if (answer === null) throw soldOutError(soldOut)
  }
  const token = key === undefined ? randomToken(32) : await reservationTokenFor(key, request.eventId, request.userId)
  // items go as a value, not JSON text: the drivers serialise jsonb parameters themselves
  const hold: GroupHold = {
    items: request.items, userId: request.userId, tokenHash: await sha256Hex(token), keyHash, requestHash: requestHashed,
    now: request.now.toISOString(), clientKey: request.clientKey ?? null, maxOpenHolds: request.maxOpenHolds ?? 0,
  }
  try {
    answer ??= request.groupCommit
      ? await holdInGroup(db, request.eventId, hold, request.groupCommit, (alone) => holdAlone(db, request.eventId, alone))
      : await holdAlone(db, request.eventId, hold)
  } catch (error) {
    throw holdError(error, request)
  }
  if (answer.error !== undefined) throw holdError({ code: answer.errcode, message: answer.error, detail: answer.detail }, request)
  const { created } = answer
  const reservation = answer.reservation as unknown as ReservationJson
  if (created) return { created, reservation: { ...reservation, token } }
  // The stored answer is the hold as it was made; a replay answers it as it is now (expired, paid…),
  // exactly as GET /api/v1/reservations/{id} would.
  const current = await findReservation(db, reservation.id, token, request.now)
  if (!current) throw new NotFoundError()
  return { created, reservation: { ...current, token } }
}

function soldOutError(name: string): DomainError {
  return new DomainError(409, 'sold_out', 'reserve.soldOut', { name, max: '', count: '' })
}

/** One hold, one transaction: hold_tickets() raises its refusals. */
async function holdAlone(db: Database, eventId: string, hold: GroupHold): Promise<HoldAnswer> {
  const { rows } = await sql<{ result: HoldAnswer }>`
    select hold_tickets(${eventId}, ${hold.items}::jsonb, ${hold.userId}, ${hold.tokenHash}, ${hold.keyHash},
      ${hold.requestHash}, ${hold.now}::timestamptz, ${hold.clientKey}, ${hold.maxOpenHolds}::int) as result`.execute(db)
  return rows[0]!.result
}

/** The stored answer of the caller's live Idempotency-Key, read only; null when the key is unused. */
async function replayOf(db: Database, request: ReservationRequest, keyHash: string, requestHashed: string): Promise<HoldAnswer | null> {
  try {
    const { rows } = await sql<{ answer: HoldAnswer | null }>`
      select hold_replay(${request.eventId}, ${request.userId}, ${keyHash}, ${requestHashed}, ${request.now}) as answer`.execute(db)
    return rows[0]!.answer
  } catch (error) {
    throw holdError(error, request)
  }
}

/** Whether `token` is the reservation's own (only its SHA-256 is stored), compared in constant time. */
export async function holdsReservationToken(reservation: { access_token_hash: string }, token: string): Promise<boolean> {
  return constantTimeEqualText(reservation.access_token_hash, await sha256Hex(token))
}

/** A reservation for the holder of its token; anyone else learns nothing (undefined, shown as 404). */
export async function findReservation(db: Database, id: string, token: string, now: Date): Promise<ReservationJson | undefined> {
  return withContext(db, SYSTEM, async (trx) => {
    const reservation = await trx.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst()
    if (!reservation || !(await holdsReservationToken(reservation, token))) return undefined
    const tickets = await trx.selectFrom('tickets as t').innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
      .select(['t.id', 't.ticket_type_id', 't.status', 't.price_minor', 't.qr_code', 't.qr_version', 'tt.name',
        // transferred away since this reservation bought it: the new owner's code is not the buyer's to see
        (eb) => eb.exists(eb.selectFrom('transfers as mv').select('mv.id').whereRef('mv.ticket_id', '=', 't.id')
          .where('mv.status', '=', 'completed').where('mv.created_at', '>=', reservation.created_at)).as('moved')])
      .where('t.reservation_id', '=', id).orderBy('tt.sort_order').orderBy('t.id').execute()
    const expired = reservation.status === 'held' && reservation.expires_at <= now
    const items = new Map<string, ReservationJson['items'][number]>()
    for (const ticket of tickets) {
      const item = items.get(ticket.ticket_type_id) ??
        { ticketTypeId: ticket.ticket_type_id, name: ticket.name, quantity: 0, unitPriceMinor: ticket.price_minor, subtotalMinor: 0 }
      item.quantity++
      item.subtotalMinor += ticket.price_minor
      items.set(ticket.ticket_type_id, item)
    }
    return {
      id: reservation.id, eventId: reservation.event_id, status: expired ? 'expired' : reservation.status,
      expiresAt: reservation.expires_at.toISOString(),
      // once a hold has expired its rows may already belong to someone else
      // a resale hold has no ticket rows of its own until it is paid: its line is the listing, at the listing's price
      items: expired ? [] : reservation.listing_id ? reservation.items : [...items.values()],
      total: { amountMinor: reservation.total_minor, currency: reservation.currency },
      tickets: reservation.status === 'paid'
        ? tickets.map((ticket) => ({
          id: ticket.id, ticketTypeId: ticket.ticket_type_id, status: ticket.status, qrVersion: ticket.qr_version,
          code: ticket.moved === true || Number(ticket.moved) === 1 ? null : ticket.qr_code,
        }))
        : [],
    }
  })
}

/**
 * The buyer gives the tickets back before the hold runs out: they are on sale again at once.
 * False when the token does not match or the hold is no longer held.
 */
export async function releaseReservation(db: Database, id: string, token: string, now: Date): Promise<boolean> {
  return withContext(db, SYSTEM, async (trx) => {
    const reservation = await trx.selectFrom('reservations').select(['id', 'access_token_hash', 'status', 'expires_at'])
      .where('id', '=', id).forUpdate().executeTakeFirst()
    if (!reservation || !(await holdsReservationToken(reservation, token))) return false
    if (reservation.status !== 'held' || reservation.expires_at <= now) return false
    await moveTickets(trx, ['pending_payment'], 'available', { reservationId: id },
      { claimable_after: sql<Date>`'-infinity'::timestamptz`, reserved_until: null, reservation_id: null }, now)
    await trx.updateTable('reservations').set({ status: 'cancelled', updated_at: now }).where('id', '=', id).execute()
    return true
  })
}
