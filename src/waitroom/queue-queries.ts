/** What the waiting room reads and writes of events, ticket types and holds. No HTTP here. */
import { sql } from 'kysely'
import type { Database, Queryable } from '../db/database.ts'
import { rememberedWhileNothingLeft, sharedWhileInFlight } from '../tickets/sold-out-memory.ts'
import type { EventStatus } from '../db/schema.ts'

/** An event as the waiting room sees it: its settings and when its sale opens and ends. */
export interface QueueEvent {
  id: string
  tenant_id: string
  slug: string
  title: string
  status: EventStatus
  high_demand: boolean
  admission_per_minute: number | null
  auto_queue_threshold: number | null
  /** The earliest start of a ticket type's sales, if any type has one. */
  opens_at: Date | null
  /** Whether every ticket type's sales have ended. */
  sales_over: boolean
}

/** A non-draft event by slug, with what the queue needs; undefined when there is none. */
export async function findQueueEvent(db: Queryable, slug: string, now: Date): Promise<QueueEvent | undefined> {
  const row = await db.selectFrom('events as e')
    .select(['e.id', 'e.tenant_id', 'e.slug', 'e.title', 'e.status', 'e.high_demand', 'e.admission_per_minute', 'e.auto_queue_threshold'])
    .select([
      sql<Date | null>`(select min(tt.sales_start) from ticket_types tt where tt.event_id = e.id)`.as('opens_at'),
      sql<boolean>`coalesce((select bool_and(tt.sales_end is not null and tt.sales_end <= ${now}) from ticket_types tt where tt.event_id = e.id), true)`.as('sales_over'),
    ])
    .where('e.slug', '=', slug)
    .where('e.status', '<>', 'draft')
    .executeTakeFirst()
  return row && { ...row, opens_at: row.opens_at ? new Date(row.opens_at) : null }
}

/**
 * The same by id, for the check in front of every hold (admission-check.ts): one call of waiting_room_event()
 * (migrations/0032), which sets its own anonymous context, rather than a transaction of four round trips.
 */
export function findQueueEventById(db: Database, eventId: string, now: Date): Promise<QueueEvent | undefined> {
  // a sale's admitted crowd holds hundreds a second: holds that come while one read is in flight share its answer
  // (the event's settings, at most one query old; each hold is still judged by the database)
  return sharedWhileInFlight(db, `event:${eventId}`, () => readQueueEventById(db, eventId, now))
}

async function readQueueEventById(db: Database, eventId: string, now: Date): Promise<QueueEvent | undefined> {
  const { rows } = await sql<Omit<QueueEvent, 'status'> & { status: EventStatus }>`
    select * from waiting_room_event(${eventId}, ${now}::timestamptz)`.execute(db)
  const row = rows[0]
  return row && { ...row, opens_at: row.opens_at ? new Date(row.opens_at) : null }
}

/** An event as a look at its queue reads it: with its tickets left, and whether a hold may still bring some back. */
export interface QueueLook extends QueueEvent {
  /** What every ticket type of the event could still sell now (src/events/availability.ts defines it). */
  ticketsLeft: number
  /** Nothing is left, but an unpaid hold has yet to expire: tickets may come back. False while some are left. */
  holdsOpen: boolean
}

/**
 * What a look at the queue reads, in one round trip (waiting_room_look(), migrations/0031, which sets its own
 * context as withContext would): the event by slug as findQueueEvent reads it, its tickets left, and whether
 * holds are open. Flash-sale queue pages are the busiest page there is, so this is one call, not three; and
 * a look that finds nothing left (sold out, or every ticket held) is remembered for a second
 * (src/tickets/sold-out-memory.ts), so the crowd that comes after costs none.
 */
export function findQueueLook(db: Database, slug: string, now: Date): Promise<QueueLook | undefined> {
  // once nothing is left, refreshing buyers (and newcomers) are answered from memory for a second
  return rememberedWhileNothingLeft(db, `queue:${slug}`, now, () => readQueueLook(db, slug, now), (look) => look.ticketsLeft === 0)
}

async function readQueueLook(db: Database, slug: string, now: Date): Promise<QueueLook | undefined> {
  const { rows } = await sql<Omit<QueueEvent, 'status'> & { status: EventStatus; tickets_left: string | number; holds_open: boolean }>`
    select * from waiting_room_look(${slug}, ${now}::timestamptz)`.execute(db)
  const row = rows[0]
  if (!row) return undefined
  const { tickets_left, holds_open, ...event } = row
  return { ...event, opens_at: event.opens_at ? new Date(event.opens_at) : null, ticketsLeft: Number(tickets_left), holdsOpen: holds_open }
}

/** Turns high demand on for the event (the automatic switch; needs a system context). */
export async function switchOnHighDemand(db: Queryable, eventId: string, now: Date): Promise<void> {
  await db.updateTable('events').set({ high_demand: true, updated_at: now }).where('id', '=', eventId).where('high_demand', '=', false).execute()
}

export interface WaitingRoomSettings {
  highDemand: boolean
  admissionPerMinute: number | null
  autoQueueThreshold: number | null
}

/** An event's title and waiting-room settings, if it is the tenant's. */
export async function findWaitingRoomSettings(db: Queryable, tenantId: string, eventId: string) {
  return db.selectFrom('events').select(['title', 'high_demand', 'admission_per_minute', 'auto_queue_threshold'])
    .where('id', '=', eventId).where('tenant_id', '=', tenantId).executeTakeFirst()
}

/** The manager's settings; false when the event is not the tenant's. */
export async function saveWaitingRoomSettings(db: Queryable, tenantId: string, eventId: string, settings: WaitingRoomSettings, now: Date): Promise<boolean> {
  const result = await db.updateTable('events').set({
    high_demand: settings.highDemand, admission_per_minute: settings.admissionPerMinute,
    auto_queue_threshold: settings.autoQueueThreshold, updated_at: now,
  }).where('id', '=', eventId).where('tenant_id', '=', tenantId).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
