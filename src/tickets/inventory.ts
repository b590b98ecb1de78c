/**
 * Sellable tickets as rows. A ticket type of capacity N has N rows; a hold claims rows (all or nothing,
 * FOR UPDATE SKIP LOCKED, in hold_tickets(): see migrations/0006), a sale marks them sold, a smaller
 * capacity withdraws unclaimed rows. `claimable_after` decides what can be claimed now: -infinity
 * available, the hold's expiry while held, +infinity once sold or withdrawn.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import { forgetSoldOut } from './sold-out-memory.ts'

export interface SellableType {
  id: string
  tenant_id: string
  event_id: string
  price_minor: number
  currency: string
}

/**
 * Rows per insert statement. One statement per chunk keeps each statement's memory and WAL bounded
 * (PGlite runs in WebAssembly with a fixed heap) while a 100,000-ticket type still takes only ten
 * round trips; the figures are in the 100,000-ticket test of tests/events/manage-events.test.ts.
 */
export const SELLABLE_ROWS_PER_INSERT = 10_000

/** Adds `count` available rows to a ticket type, set-based, in chunks of SELLABLE_ROWS_PER_INSERT. */
export async function addSellableTickets(db: Queryable, type: SellableType, count: number): Promise<void> {
  for (let done = 0; done < count; done += SELLABLE_ROWS_PER_INSERT) {
    const rows = Math.min(SELLABLE_ROWS_PER_INSERT, count - done)
    await sql`insert into tickets (tenant_id, event_id, ticket_type_id, price_minor, currency, status, claimable_after)
      select ${type.tenant_id}, ${type.event_id}, ${type.id}, ${type.price_minor}, ${type.currency}, 'available', '-infinity'
      from generate_series(1, ${rows})`.execute(db)
  }
  // more capacity: this process's sold-out answers are void
  forgetSoldOut()
}

/**
 * Removes up to `count` claimable rows (available, or held by an expired hold). Returns how many went:
 * fewer than asked means the rest are sold or held.
 */
export async function withdrawSellableTickets(db: Queryable, typeId: string, count: number, now: Date): Promise<number> {
  if (count <= 0) return 0
  const result = await sql`delete from tickets where id in (
      select id from tickets where ticket_type_id = ${typeId} and claimable_after <= ${now}
      order by claimable_after desc, id limit ${count} for update skip locked)`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}
