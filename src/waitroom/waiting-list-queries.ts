/** The waiting list's rows (waiting_list_entries): sign-ups, offers, claims. No HTTP here. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { WaitingListStatus } from '../db/schema.ts'
import { availableSql } from '../events/availability.ts'

export interface NewWaitingListEntry {
  tenantId: string
  eventId: string
  ticketTypeId: string
  email: string | null
  phone: string | null
  lang: 'en' | 'sw'
  origin: string
}

/** Adds the person to the type's list; nothing when they are on it already (by email or phone). */
export async function insertWaitingListEntry(db: Queryable, entry: NewWaitingListEntry, now: Date): Promise<void> {
  // no RETURNING: a buyer may add a row but read none back (row-level security)
  await db.insertInto('waiting_list_entries').values({
    tenant_id: entry.tenantId, event_id: entry.eventId, ticket_type_id: entry.ticketTypeId, email: entry.email,
    phone: entry.phone, lang: entry.lang, origin: entry.origin, created_at: now, updated_at: now,
  }).onConflict((oc) => oc.doNothing()).execute()
}

/** Offers whose time ran out become lapsed (a system context); returns how many. */
export async function lapseOffers(db: Queryable, now: Date): Promise<number> {
  const result = await db.updateTable('waiting_list_entries').set({ status: 'lapsed', offer_token_hash: null, updated_at: now })
    .where('status', '=', 'offered').where('offered_until', '<=', now).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Ticket types of selling events with people waiting, with what they have left and what stands offered. */
export async function typesWithWaiters(db: Queryable, now: Date, limit = 100) {
  const rows = await db.selectFrom('ticket_types as tt')
    .innerJoin('events as e', 'e.id', 'tt.event_id')
    .select(['tt.id', 'tt.name', 'tt.event_id', 'tt.tenant_id', 'e.title', 'e.slug', availableSql('tt', now).as('available')])
    .select(sql<number>`(select count(*)::int from waiting_list_entries w where w.ticket_type_id = tt.id
      and w.status in ('offered', 'claimed') and w.offered_until > ${now})`.as('offered'))
    .where('e.status', 'in', ['published', 'ongoing'])
    .where(({ exists, selectFrom }) => exists(selectFrom('waiting_list_entries as w').select('w.id')
      .whereRef('w.ticket_type_id', '=', 'tt.id').where('w.status', '=', 'waiting')))
    .limit(limit).execute()
  return rows.map((row) => ({ ...row, available: Number(row.available), offered: Number(row.offered) }))
}

/** The next `count` people waiting for a type, in sign-up order, locked for the offer. */
export async function nextWaiting(db: Queryable, ticketTypeId: string, count: number) {
  return db.selectFrom('waiting_list_entries').select(['id', 'email', 'phone', 'lang', 'origin'])
    .where('ticket_type_id', '=', ticketTypeId).where('status', '=', 'waiting')
    .orderBy('seq').limit(count).forUpdate().skipLocked().execute()
}

export async function markOffered(db: Queryable, id: string, tokenHash: string, until: Date, now: Date): Promise<void> {
  await db.updateTable('waiting_list_entries').set({ status: 'offered', offer_token_hash: tokenHash, offered_until: until, updated_at: now })
    .where('id', '=', id).where('status', '=', 'waiting').execute()
}

export interface OfferRow {
  id: string
  event_id: string
  status: WaitingListStatus
  offer_token_hash: string | null
  offered_until: Date | null
  slug: string
  title: string
  type_name: string
}

/** An entry with its event, for the offer link (a system context: the link's secret is the proof). */
export async function findOffer(db: Queryable, id: string): Promise<OfferRow | undefined> {
  return db.selectFrom('waiting_list_entries as w')
    .innerJoin('events as e', 'e.id', 'w.event_id')
    .innerJoin('ticket_types as tt', 'tt.id', 'w.ticket_type_id')
    .select(['w.id', 'w.event_id', 'w.status', 'w.offer_token_hash', 'w.offered_until', 'e.slug', 'e.title', 'tt.name as type_name'])
    .where('w.id', '=', id).executeTakeFirst()
}

/** The offer taken up by a browser: only a standing offer, once. */
export async function markClaimed(db: Queryable, id: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('waiting_list_entries').set({ status: 'claimed', updated_at: now })
    .where('id', '=', id).where('status', '=', 'offered').where('offered_until', '>', now).executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}
