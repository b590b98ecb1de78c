/** Read queries for the public event pages and API. Row-level security already hides drafts and other tenants' data. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import { availableSql } from './availability.ts'

export interface EventSummary {
  id: string
  slug: string
  title: string
  starts_at: Date
  ends_at: Date | null
  venue_name: string
  venue_city: string
  status: string
  currency: string
  organiser: string
  min_price_minor: number | null
  available: number
}

export interface EventFilter {
  /** Words of the title. */
  q?: string
  city?: string
  limit?: number
  offset?: number
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`
}

/** Published or ongoing events that have not ended, soonest first; organisers must be active. */
export async function listUpcomingEvents(db: Queryable, now: Date, filter: EventFilter = {}): Promise<EventSummary[]> {
  let query = db
    .selectFrom('events as e')
    .innerJoin('tenants as t', 't.id', 'e.tenant_id')
    .leftJoin('ticket_types as tt', 'tt.event_id', 'e.id')
    .select([
      'e.id', 'e.slug', 'e.title', 'e.starts_at', 'e.ends_at', 'e.venue_name', 'e.venue_city', 'e.status', 'e.currency',
      't.name as organiser',
      sql<number | null>`min(tt.price_minor)`.as('min_price_minor'),
      sql<number>`coalesce(sum(${availableSql('tt', now)}), 0)`.as('available'),
    ])
    .where('e.status', 'in', ['published', 'ongoing'])
    .where('t.status', '=', 'active')
    .where(sql<boolean>`coalesce(e.ends_at, e.starts_at) >= ${now}`)
  if (filter.q) query = query.where('e.title', 'ilike', likePattern(filter.q))
  if (filter.city) query = query.where('e.venue_city', 'ilike', likePattern(filter.city))
  const rows = await query.groupBy(['e.id', 't.name']).orderBy('e.starts_at').orderBy('e.id')
    .limit(filter.limit ?? 50).offset(filter.offset ?? 0).execute()
  return rows.map((row) => ({
    ...row,
    min_price_minor: row.min_price_minor === null ? null : Number(row.min_price_minor),
    available: Number(row.available),
  }))
}

/** A non-draft event of an active organiser, by slug or id. */
export async function findPublicEvent(db: Queryable, by: { slug: string } | { id: string }) {
  return db
    .selectFrom('events as e')
    .innerJoin('tenants as t', 't.id', 'e.tenant_id')
    .selectAll('e')
    .select('t.name as organiser')
    .where('slug' in by ? 'e.slug' : 'e.id', '=', 'slug' in by ? by.slug : by.id)
    .where('e.status', '<>', 'draft')
    .where('t.status', '=', 'active')
    .executeTakeFirst()
}

export async function listTicketTypesOfEvent(db: Queryable, eventId: string, now: Date) {
  const rows = await db
    .selectFrom('ticket_types as tt')
    .select(['tt.id', 'tt.name', 'tt.description', 'tt.price_minor', 'tt.currency', 'tt.capacity', 'tt.max_per_order',
      'tt.sales_start', 'tt.sales_end', availableSql('tt', now).as('available')])
    .where('tt.event_id', '=', eventId)
    .orderBy('tt.sort_order')
    .orderBy('tt.price_minor')
    .execute()
  return rows.map((row) => ({ ...row, available: Number(row.available) }))
}

export type PublicTicketType = Awaited<ReturnType<typeof listTicketTypesOfEvent>>[number]

/** The id of the event with this slug, if the context may see it. */
export async function findEventIdBySlug(db: Queryable, slug: string): Promise<string | undefined> {
  const row = await db.selectFrom('events').select('id').where('slug', '=', slug).executeTakeFirst()
  return row?.id
}

/** The slug of an event, to link back to its page. */
export async function findEventSlug(db: Queryable, eventId: string): Promise<string | undefined> {
  const row = await db.selectFrom('events').select('slug').where('id', '=', eventId).executeTakeFirst()
  return row?.slug
}
