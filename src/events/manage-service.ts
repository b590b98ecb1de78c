/**
 * What managers do to events and ticket types. Runs in the manager's tenant context, so another
 * tenant's events are simply not found (404), never "forbidden". Capacity rules:
 * ticket types never add up to more than the event, and no capacity drops below what is sold or held.
 * Inventory rules, because every sellable ticket is a row: only an approved (active) organiser creates
 * sellable tickets or publishes (a pending one drafts), and no event grows past the platform's maximum
 * number of tickets (MAX_TICKETS_PER_EVENT), however it is reached: event capacity, ticket types, a copy.
 */
import { sql } from 'kysely'
import type { AppConfig } from '../config.ts'
import type { Queryable } from '../db/database.ts'
import type { EventStatus } from '../db/schema.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { addSellableTickets, withdrawSellableTickets } from '../tickets/inventory.ts'
import { committedSql } from './availability.ts'
import type { EventInput, TicketTypeInput } from './form-schemas.ts'
import { assertManualTiming } from './event-time.ts'
import { assertTransition } from './status.ts'

export interface Actor {
  tenantId: string
  userId: string
}

/** The platform's limits on inventory (from configuration). */
export interface InventoryRules {
  maxTicketsPerEvent: number
}

export const DEFAULT_MAX_TICKETS_PER_EVENT = 100_000

export const DEFAULT_INVENTORY_RULES: InventoryRules = { maxTicketsPerEvent: DEFAULT_MAX_TICKETS_PER_EVENT }

export function inventoryRules(config: AppConfig): InventoryRules {
  return { maxTicketsPerEvent: config.maxTicketsPerEvent ?? DEFAULT_MAX_TICKETS_PER_EVENT }
}

/** Refuses sellable inventory (ticket types, publishing, copies with ticket types) to an organiser not yet approved. */
async function assertMaySell(trx: Queryable, actor: Actor) {
  const tenant = await trx.selectFrom('tenants').select('status').where('id', '=', actor.tenantId).executeTakeFirst()
  if (tenant?.status === 'active') return
  if (tenant?.status === 'pending') throw new DomainError(403, 'organiser_not_approved', 'events.pendingNoInventory')
  throw new DomainError(403, 'forbidden', 'error.forbidden')
}

/** Refuses a change that takes an event's tickets from `before` to `after` past the platform maximum. */
function assertWithinPlatformMax(rules: InventoryRules, before: number, after: number) {
  if (after <= rules.maxTicketsPerEvent || after <= before) return
  throw new DomainError(422, 'over_platform_max', 'events.overPlatformMax', {
    max: rules.maxTicketsPerEvent.toLocaleString('en-US'), left: Math.max(0, rules.maxTicketsPerEvent - before).toLocaleString('en-US'),
  })
}

function slugFor(title: string): string {
  const base = title.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60)
  const suffix = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)
  return `${base || 'event'}-${suffix}`
}

function eventColumns(input: EventInput) {
  return {
    title: input.title,
    description: input.description,
    starts_at: input.startsAt,
    ends_at: input.endsAt,
    venue_name: input.venueName,
    venue_address: input.venueAddress,
    venue_city: input.venueCity,
    venue_latitude: input.latitude,
    venue_longitude: input.longitude,
    total_capacity: input.totalCapacity,
    terms_and_conditions: input.terms,
    terms_url: input.termsUrl,
    hold_minutes: input.holdMinutes,
    allow_transfers: input.allowTransfers,
    allow_resale: input.allowResale,
    max_transfers: input.maxTransfers,
    transfer_fee_minor: input.transferFee,
    resale_price_cap_pct: input.resalePriceCapPct,
    resale_fee_pct: input.resaleFeePct,
  }
}

/** The event, locked for the rest of the transaction, or 404 (also for other tenants' events). */
export async function lockEvent(trx: Queryable, actor: Actor, eventId: string) {
  const event = await trx.selectFrom('events').selectAll().where('id', '=', eventId).where('tenant_id', '=', actor.tenantId)
    .forUpdate().executeTakeFirst()
  if (!event) throw new NotFoundError()
  return event
}

/** Sold plus held (unexpired pending) tickets per ticket type of an event. */
export async function committedByType(trx: Queryable, eventId: string, now: Date): Promise<Map<string, number>> {
  const rows = await trx.selectFrom('ticket_types as tt')
    .select(['tt.id', committedSql('tt', now).as('committed')])
    .where('tt.event_id', '=', eventId).execute()
  return new Map(rows.map((row) => [row.id, Number(row.committed)]))
}

async function typeCapacityTotal(trx: Queryable, eventId: string, exceptTypeId?: string): Promise<number> {
  let query = trx.selectFrom('ticket_types').select(sql<number>`coalesce(sum(capacity), 0)`.as('total')).where('event_id', '=', eventId)
  if (exceptTypeId) query = query.where('id', '<>', exceptTypeId)
  return Number((await query.executeTakeFirstOrThrow()).total)
}

function assertEditable(status: EventStatus) {
  if (status === 'completed' || status === 'cancelled') throw new DomainError(409, 'event_closed', 'events.closed')
}

export async function createEvent(trx: Queryable, actor: Actor, input: EventInput, now: Date, rules = DEFAULT_INVENTORY_RULES): Promise<string> {
  if (input.startsAt <= now) throw new DomainError(422, 'past_date', 'form.pastDate')
  assertWithinPlatformMax(rules, 0, input.totalCapacity)
  const row = await trx.insertInto('events').values({
    ...eventColumns(input), tenant_id: actor.tenantId, manager_id: actor.userId, slug: slugFor(input.title), status: 'draft',
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function updateEvent(trx: Queryable, actor: Actor, eventId: string, input: EventInput, now: Date, rules = DEFAULT_INVENTORY_RULES) {
  const event = await lockEvent(trx, actor, eventId)
  assertEditable(event.status)
  // an event from before the maximum keeps its capacity, but never grows
  assertWithinPlatformMax(rules, event.total_capacity, input.totalCapacity)
  if (input.startsAt.getTime() !== event.starts_at.getTime() && input.startsAt <= now) {
    throw new DomainError(422, 'past_date', 'form.pastDate')
  }
  const typesTotal = await typeCapacityTotal(trx, eventId)
  if (input.totalCapacity < typesTotal) {
    throw new DomainError(422, 'capacity_below_types', 'events.capacityBelowTypes', { total: typesTotal })
  }
  await trx.updateTable('events').set({ ...eventColumns(input), updated_at: now }).where('id', '=', eventId).execute()
}

/** A draft copy with the same details and ticket types, nothing sold. */
export async function duplicateEvent(trx: Queryable, actor: Actor, eventId: string, copySuffix: string, rules = DEFAULT_INVENTORY_RULES): Promise<string> {
  const event = await lockEvent(trx, actor, eventId)
  const typesTotal = await typeCapacityTotal(trx, eventId)
  if (typesTotal > 0) await assertMaySell(trx, actor)
  // a copy is a new event: it must fit today's maximum whatever the original had
  assertWithinPlatformMax(rules, 0, Math.max(typesTotal, event.total_capacity))
  const { id: _id, slug: _slug, created_at: _c, updated_at: _u, status: _s, title, ...rest } = event
  const copy = await trx.insertInto('events').values({
    ...rest, title: `${title} ${copySuffix}`.slice(0, 160), slug: slugFor(title), status: 'draft', manager_id: actor.userId,
  }).returning('id').executeTakeFirstOrThrow()
  const types = await trx.selectFrom('ticket_types').selectAll().where('event_id', '=', eventId).execute()
  if (types.length > 0) {
    const copies = await trx.insertInto('ticket_types').values(types.map(({ id: _tid, created_at: _tc, updated_at: _tu, sold: _sold, ...type }) => ({
      ...type, event_id: copy.id,
    }))).returningAll().execute()
    for (const type of copies) await addSellableTickets(trx, type, type.capacity)
  }
  return copy.id
}

/** Any status change but cancelling (cancellation.ts: it cancels tickets and refunds payments too). */
export async function changeStatus(trx: Queryable, actor: Actor, eventId: string, to: EventStatus, now: Date) {
  if (to === 'cancelled') throw new DomainError(409, 'illegal_status_change', 'events.illegalTransition', { from: 'any', to })
  const event = await lockEvent(trx, actor, eventId)
  assertTransition(event.status, to)
  assertManualTiming(event, to, now)
  if (to === 'published' || to === 'ongoing') await assertMaySell(trx, actor)
  if (to === 'published') {
    if (event.starts_at <= now) throw new DomainError(422, 'past_date', 'form.pastDate')
    const types = await trx.selectFrom('ticket_types').select('id').where('event_id', '=', eventId).executeTakeFirst()
    if (!types) throw new DomainError(422, 'no_ticket_types', 'events.noTicketTypes')
  }
  await trx.updateTable('events').set({ status: to, updated_at: now }).where('id', '=', eventId).execute()
}

function ticketTypeColumns(input: TicketTypeInput) {
  return {
    name: input.name,
    description: input.description,
    price_minor: input.price,
    capacity: input.capacity,
    max_per_order: input.maxPerOrder,
    sales_start: input.salesStart,
    sales_end: input.salesEnd,
  }
}

async function assertNameFree(trx: Queryable, eventId: string, name: string, exceptTypeId?: string) {
  let query = trx.selectFrom('ticket_types').select('id').where('event_id', '=', eventId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
  if (exceptTypeId) query = query.where('id', '<>', exceptTypeId)
  if (await query.executeTakeFirst()) throw new DomainError(409, 'duplicate_name', 'events.duplicateTypeName')
}

export async function addTicketType(trx: Queryable, actor: Actor, eventId: string, input: TicketTypeInput, rules = DEFAULT_INVENTORY_RULES) {
  const event = await lockEvent(trx, actor, eventId)
  assertEditable(event.status)
  await assertMaySell(trx, actor)
  await assertNameFree(trx, eventId, input.name)
  const total = await typeCapacityTotal(trx, eventId)
  assertWithinPlatformMax(rules, total, total + input.capacity)
  if (total + input.capacity > event.total_capacity) {
    throw new DomainError(422, 'over_capacity', 'events.typesOverCapacity', { left: event.total_capacity - total })
  }
  const order = await trx.selectFrom('ticket_types').select(sql<number>`coalesce(max(sort_order), -1) + 1`.as('next'))
    .where('event_id', '=', eventId).executeTakeFirstOrThrow()
  const type = await trx.insertInto('ticket_types').values({
    ...ticketTypeColumns(input), tenant_id: actor.tenantId, event_id: eventId, currency: event.currency,
    sort_order: Number(order.next),
  }).returningAll().executeTakeFirstOrThrow()
  await addSellableTickets(trx, type, type.capacity)
}

export async function updateTicketType(
  trx: Queryable, actor: Actor, eventId: string, typeId: string, input: TicketTypeInput, now: Date, rules = DEFAULT_INVENTORY_RULES,
) {
  const event = await lockEvent(trx, actor, eventId)
  assertEditable(event.status)
  const type = await trx.selectFrom('ticket_types').selectAll().where('id', '=', typeId).where('event_id', '=', eventId)
    .forUpdate().executeTakeFirst()
  if (!type) throw new NotFoundError()
  await assertNameFree(trx, eventId, input.name, typeId)
  const committed = (await committedByType(trx, eventId, now)).get(typeId) ?? 0
  if (input.capacity < committed) {
    throw new DomainError(422, 'capacity_below_sold', 'events.capacityBelowSold', { count: committed })
  }
  const others = await typeCapacityTotal(trx, eventId, typeId)
  if (input.capacity > type.capacity) await assertMaySell(trx, actor)
  assertWithinPlatformMax(rules, others + type.capacity, others + input.capacity)
  if (others + input.capacity > event.total_capacity) {
    throw new DomainError(422, 'over_capacity', 'events.typesOverCapacity', { left: event.total_capacity - others })
  }
  const change = input.capacity - type.capacity
  if (change > 0) await addSellableTickets(trx, type, change)
  if (change < 0 && (await withdrawSellableTickets(trx, typeId, -change, now)) < -change) {
    // a hold landed between the check and the withdrawal: refuse rather than cut into it
    throw new DomainError(422, 'capacity_below_sold', 'events.capacityBelowSold', { count: committed })
  }
  await trx.updateTable('ticket_types').set({ ...ticketTypeColumns(input), updated_at: now }).where('id', '=', typeId).execute()
}

export async function deleteTicketType(trx: Queryable, actor: Actor, eventId: string, typeId: string, now: Date) {
  const event = await lockEvent(trx, actor, eventId)
  assertEditable(event.status)
  const type = await trx.selectFrom('ticket_types').select(['id', 'capacity']).where('id', '=', typeId).where('event_id', '=', eventId)
    .forUpdate().executeTakeFirst()
  if (!type) throw new NotFoundError()
  // every row must be withdrawable: none sold, none held
  if ((await withdrawSellableTickets(trx, typeId, type.capacity, now)) < type.capacity) {
    throw new DomainError(409, 'type_has_sales', 'events.typeHasSales')
  }
  const other = await trx.selectFrom('tickets').select('id').where('ticket_type_id', '=', typeId).executeTakeFirst()
  if (other) throw new DomainError(409, 'type_has_sales', 'events.typeHasSales')
  await trx.deleteFrom('ticket_types').where('id', '=', typeId).execute()
}
