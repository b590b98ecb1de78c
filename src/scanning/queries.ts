/**
 * The gate staff's queries. Scanners see only the events assigned to them; managers see all of their
 * tenant's published, ongoing or completed events.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { MembershipRole } from '../db/schema.ts'

/** Who is scanning: their tenant, their role there, and who they are. */
export interface Scanner {
  tenantId: string
  role: MembershipRole
  userId: string
}

function scannableEvents(db: Queryable, scanner: Scanner) {
  let query = db.selectFrom('events as e').select(['e.id', 'e.title', 'e.starts_at', 'e.venue_name'])
    .where('e.tenant_id', '=', scanner.tenantId)
    .where('e.status', 'in', ['published', 'ongoing', 'completed'])
  if (scanner.role === 'scanner') {
    query = query.where((eb) => eb.exists(eb.selectFrom('scanner_assignments as a')
      .whereRef('a.event_id', '=', 'e.id').where('a.user_id', '=', scanner.userId).select('a.event_id')))
  }
  return query
}

/** The events this staff member may scan, by start. */
export function listScannableEvents(db: Queryable, scanner: Scanner) {
  return scannableEvents(db, scanner).orderBy('e.starts_at').execute()
}

/** One event this staff member may scan, or undefined. */
export function findScannableEvent(db: Queryable, scanner: Scanner, eventId: string) {
  return scannableEvents(db, scanner).where('e.id', '=', eventId).executeTakeFirst()
}

/** How many of an event's tickets have been checked in, of those that can be. */
export async function countCheckIns(db: Queryable, eventId: string): Promise<{ checkedIn: number; total: number }> {
  const counts = await db.selectFrom('tickets')
    .select([
      sql<number>`count(*) filter (where status = 'used')`.as('checkedIn'),
      sql<number>`count(*) filter (where status in ('active', 'used'))`.as('total'),
    ])
    .where('event_id', '=', eventId).executeTakeFirstOrThrow()
  return { checkedIn: Number(counts.checkedIn), total: Number(counts.total) }
}
