/**
 * Holding tickets for a buyer while they pay. One transaction: the idempotency key (a repeated request
 * gets the first answer), the checks (event selling, sales windows, per-order maximum), then one
 * all-or-nothing claim per ticket type. If any type runs short, nothing is held.
 */
import type { Database, Queryable } from '../db/database.ts'
import { ANONYMOUS, SYSTEM, withContext } from '../db/request-context.ts'
import { findPublicEvent } from '../events/queries.ts'
import { isSelling } from '../events/status.ts'
import { DomainError, NotFoundError } from '../http/errors.tsx'
import { constantTimeEqualText, randomToken, sha256Hex } from '../lib/crypto.ts'
import { claimTickets } from './inventory.ts'

export interface ReservationItemRequest {
  ticketTypeId: string
  quantity: number
}

export interface ReservationRequest {
  eventId: string
  items: ReservationItemRequest[]
  userId: string | null
  idempotencyKey?: string
  now: Date
}

export interface ReservationJson {
  id: string
  eventId: string
  status: 'held' | 'paid' | 'expired' | 'cancelled'
  expiresAt: string
  items: Array<{ ticketTypeId: string; name: string; quantity: number; unitPriceMinor: number; subtotalMinor: number }>
  total: { amountMinor: number; currency: string }
  /** Present once, in the answer that created the reservation: authorises the buyer's later calls. */
  token?: string
  tickets?: Array<{ id: string; ticketTypeId: string; status: string }>
}

const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000

async function requestHash(request: ReservationRequest): Promise<string> {
  const items = [...request.items].sort((a, b) => a.ticketTypeId.localeCompare(b.ticketTypeId))
  return sha256Hex(JSON.stringify({ eventId: request.eventId, items }))
}

/** The stored answer to an earlier request with this key, or undefined when this request is the first. */
async function claimIdempotencyKey(trx: Queryable, tenantId: string, request: ReservationRequest, hash: string) {
  if (!request.idempotencyKey) return undefined
  const scope = `reservation:${request.eventId}`
  // a concurrent duplicate waits here on the unique key until the first one commits
  const inserted = await trx.insertInto('idempotency_keys').values({
    tenant_id: tenantId, scope, key: request.idempotencyKey, request_hash: hash,
    expires_at: new Date(request.now.getTime() + IDEMPOTENCY_TTL_MS),
  }).onConflict((oc) => oc.columns(['tenant_id', 'scope', 'key']).doNothing()).returning('key').executeTakeFirst()
  if (inserted) return undefined
  const earlier = await trx.selectFrom('idempotency_keys').select(['request_hash', 'response_body'])
    .where('tenant_id', '=', tenantId).where('scope', '=', scope).where('key', '=', request.idempotencyKey).executeTakeFirstOrThrow()
  if (earlier.request_hash !== hash) throw new DomainError(422, 'idempotency_key_reused', 'reserve.idempotencyMismatch')
  return earlier.response_body as unknown as ReservationJson
}

export async function createReservation(db: Database, request: ReservationRequest): Promise<{ created: boolean; reservation: ReservationJson }> {
  const event = await withContext(db, ANONYMOUS, (trx) => findPublicEvent(trx, { id: request.eventId }))
  if (!event) throw new NotFoundError()
  if (!isSelling(event.status)) throw new DomainError(409, 'not_on_sale', 'reserve.notOnSale')
  const hash = await requestHash(request)
  return withContext(db, { role: 'buyer', tenantId: event.tenant_id, userId: request.userId }, async (trx) => {
    const earlier = await claimIdempotencyKey(trx, event.tenant_id, request, hash)
    if (earlier) return { created: false, reservation: earlier }

    const types = await trx.selectFrom('ticket_types').selectAll().where('event_id', '=', event.id)
      .where('id', 'in', request.items.map((item) => item.ticketTypeId)).execute()
    const byId = new Map(types.map((type) => [type.id, type]))
    for (const item of request.items) {
      const type = byId.get(item.ticketTypeId)
      if (!type) throw new DomainError(422, 'unknown_ticket_type', 'reserve.unknownType')
      if (type.sales_start && type.sales_start > request.now) throw new DomainError(409, 'sales_not_started', 'reserve.salesNotStarted', { name: type.name })
      if (type.sales_end && type.sales_end <= request.now) throw new DomainError(409, 'sales_closed', 'reserve.salesClosed', { name: type.name })
      if (item.quantity > type.max_per_order) {
        throw new DomainError(422, 'over_max_per_order', 'reserve.overMax', { max: type.max_per_order, name: type.name })
      }
    }

    const token = randomToken(32)
    const expiresAt = new Date(request.now.getTime() + event.hold_minutes * 60_000)
    const items = request.items.map((item) => {
      const type = byId.get(item.ticketTypeId)!
      return { ticketTypeId: type.id, name: type.name, quantity: item.quantity, unitPriceMinor: type.price_minor,
        subtotalMinor: type.price_minor * item.quantity }
    })
    const total = items.reduce((sum, item) => sum + item.subtotalMinor, 0)
    const reservation = await trx.insertInto('reservations').values({
      tenant_id: event.tenant_id, event_id: event.id, user_id: request.userId, expires_at: expiresAt,
      access_token_hash: await sha256Hex(token), total_minor: total, currency: event.currency, created_at: request.now,
      updated_at: request.now,
    }).returning('id').executeTakeFirstOrThrow()

    for (const item of items) {
      const claimed = await claimTickets(trx, {
        typeId: item.ticketTypeId, quantity: item.quantity, reservationId: reservation.id, priceMinor: item.unitPriceMinor,
        heldUntil: expiresAt, now: request.now,
      })
      if (claimed.length < item.quantity) throw new DomainError(409, 'sold_out', 'reserve.soldOut', { name: item.name })
    }

    const body: ReservationJson = {
      id: reservation.id, eventId: event.id, status: 'held', expiresAt: expiresAt.toISOString(), items,
      total: { amountMinor: total, currency: event.currency }, token,
    }
    if (request.idempotencyKey) {
      await trx.updateTable('idempotency_keys').set({ status_code: 201, response_body: body as unknown as Record<string, unknown> })
        .where('tenant_id', '=', event.tenant_id).where('scope', '=', `reservation:${event.id}`)
        .where('key', '=', request.idempotencyKey).execute()
    }
    return { created: true, reservation: body }
  })
}

/** A reservation for the holder of its token; anyone else learns nothing (undefined, shown as 404). */
export async function findReservation(db: Database, id: string, token: string, now: Date): Promise<ReservationJson | undefined> {
  return withContext(db, SYSTEM, async (trx) => {
    const reservation = await trx.selectFrom('reservations').selectAll().where('id', '=', id).executeTakeFirst()
    if (!reservation || !constantTimeEqualText(reservation.access_token_hash, await sha256Hex(token))) return undefined
    const tickets = await trx.selectFrom('tickets as t').innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
      .select(['t.id', 't.ticket_type_id', 't.status', 't.price_minor', 'tt.name'])
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
      items: expired ? [] : [...items.values()],
      total: { amountMinor: reservation.total_minor, currency: reservation.currency },
      tickets: reservation.status === 'paid'
        ? tickets.map((ticket) => ({ id: ticket.id, ticketTypeId: ticket.ticket_type_id, status: ticket.status }))
        : [],
    }
  })
}
