/** Read queries for the public event pages. Row-level security already hides drafts and other tenants' data. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'

export interface EventSummary {
  id: string
  slug: string
  title: string
  starts_at: Date
  venue_name: string
  venue_city: string
  status: string
  currency: string
  organiser: string
  min_price_minor: number | null
  available: number
}

/** Published or ongoing events that have not ended, soonest first; organisers must be active. */
export async function listUpcomingEvents(db: Queryable, now: Date, limit = 50): Promise<EventSummary[]> {
  const rows = await db
    .selectFrom('events as e')
    .innerJoin('tenants as t', 't.id', 'e.tenant_id')
    .leftJoin('ticket_types as tt', 'tt.event_id', 'e.id')
    .select([
      'e.id', 'e.slug', 'e.title', 'e.starts_at', 'e.venue_name', 'e.venue_city', 'e.status', 'e.currency',
      't.name as organiser',
      sql<number | null>`min(tt.price_minor)`.as('min_price_minor'),
      sql<number>`coalesce(sum(tt.capacity - tt.sold), 0)`.as('available'),
    ])
    .where('e.status', 'in', ['published', 'ongoing'])
    .where('t.status', '=', 'active')
    .where(sql<boolean>`coalesce(e.ends_at, e.starts_at) >= ${now}`)
    .groupBy(['e.id', 't.name'])
    .orderBy('e.starts_at')
    .limit(limit)
    .execute()
  return rows.map((row) => ({
    ...row,
    min_price_minor: row.min_price_minor === null ? null : Number(row.min_price_minor),
    available: Number(row.available),
  }))
}

export async function findPublicEventBySlug(db: Queryable, slug: string) {
  return db
    .selectFrom('events as e')
    .innerJoin('tenants as t', 't.id', 'e.tenant_id')
    .selectAll('e')
    .select('t.name as organiser')
    .where('e.slug', '=', slug)
    .where('e.status', '<>', 'draft')
    .executeTakeFirst()
}

export async function listTicketTypesOfEvent(db: Queryable, eventId: string) {
  return db
    .selectFrom('ticket_types')
    .select(['id', 'name', 'description', 'price_minor', 'currency', 'capacity', 'sold', 'sales_start', 'sales_end'])
    .where('event_id', '=', eventId)
    .orderBy('sort_order')
    .orderBy('price_minor')
    .execute()
}
