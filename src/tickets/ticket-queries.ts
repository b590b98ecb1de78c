/** Queries of the ticket pages: a buyer's own tickets, and the tickets that go into a PDF. */
import type { Queryable } from '../db/database.ts'

/** The buyer's active, used and cancelled tickets (a cancelled one says so instead of showing its QR), by event start; row-level security also limits them to their own. */
export function listOwnTickets(db: Queryable, userId: string) {
  return db.selectFrom('tickets as t')
    .innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .select(['t.id', 't.status', 't.qr_code', 'tt.name as type_name', 'e.title', 'e.starts_at'])
    .where('t.user_id', '=', userId).where('t.status', 'in', ['active', 'used', 'cancelled'])
    .orderBy('e.starts_at').orderBy('t.id').execute()
}

/** The ticket's id if it is this person's, else undefined. */
export async function findOwnTicketId(db: Queryable, ticketId: string, userId: string): Promise<string | undefined> {
  const row = await db.selectFrom('tickets').select('id').where('id', '=', ticketId).where('user_id', '=', userId).executeTakeFirst()
  return row?.id
}

/** The active ones of these tickets, with what a PDF ticket prints (and the event's template). */
export function listTicketsForPdf(db: Queryable, ticketIds: string[]) {
  return db.selectFrom('tickets as t').innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .select(['t.id', 't.qr_code', 't.status', 'tt.name as type_name', 'e.title', 'e.starts_at', 'e.venue_name', 'e.venue_city',
      'e.ticket_template_url'])
    .where('t.id', 'in', ticketIds).where('t.status', '=', 'active').orderBy('t.id').execute()
}
