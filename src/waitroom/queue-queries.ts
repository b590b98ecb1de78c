/** What the waiting room reads and writes of events, ticket types and holds. No HTTP here. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { EventStatus } from '../db/schema.ts'
import { availableSql } from '../events/availability.ts'

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

/** A non-draft event by slug or id, with what the queue needs; undefined when there is none. */
export async function findQueueEvent(db: Queryable, by: { slug: string } | { id: string }, now: Date): Promise<QueueEvent | undefined> {
  const row = await db.selectFrom('events as e')
    .select(['e.id', 'e.tenant_id', 'e.slug', 'e.title', 'e.status', 'e.high_demand', 'e.admission_per_minute', 'e.auto_queue_threshold'])
    .select([
      sql<Date | null>`(select min(tt.sales_start) from ticket_types tt where tt.event_id = e.id)`.as('opens_at'),
      sql<boolean>`coalesce((select bool_and(tt.sales_end is not null and tt.sales_end <= ${now}) from ticket_types tt where tt.event_id = e.id), true)`.as('sales_over'),
    ])
    .where('slug' in by ? 'e.slug' : 'e.id', '=', 'slug' in by ? by.slug : by.id)
    .where('e.status', '<>', 'draft')
    .executeTakeFirst()
  return row && { ...row, opens_at: row.opens_at ? new Date(row.opens_at) : null }
}

/**
 * The "tickets left" figure: what every ticket type of the event could still sell now. The one place
 * the waiting room reads availability (src/events/availability.ts defines it).
 */
export async function ticketsLeft(db: Queryable, eventId: string, now: Date): Promise<number> {
  const row = await db.selectFrom('ticket_types as tt')
    .select(sql<number>`coalesce(sum(${availableSql('tt', now)}), 0)`.as('left'))
    .where('tt.event_id', '=', eventId).executeTakeFirstOrThrow()
  return Number(row.left)
}

/** Unexpired, unpaid holds of the event (tickets that may still come back). Needs a system context. */
export async function openHoldCount(db: Queryable, eventId: string, now: Date): Promise<number> {
  const row = await db.selectFrom('reservations').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('event_id', '=', eventId).where('status', '=', 'held').where('expires_at', '>', now).executeTakeFirstOrThrow()
  return Number(row.n)
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
