/**
 * Sellable tickets as rows. A ticket type of capacity N has N rows; a hold claims rows, a sale marks
 * them sold, a smaller capacity withdraws unclaimed rows. `claimable_after` decides what can be
 * claimed now: -infinity available, the hold's expiry while held, +infinity once sold or withdrawn.
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'


export interface SellableType {
  id: string
  tenant_id: string
  event_id: string
  price_minor: number
  currency: string
}

/** Adds `count` available rows to a ticket type. */
export async function addSellableTickets(db: Queryable, type: SellableType, count: number): Promise<void> {
  if (count <= 0) return
  await sql`insert into tickets (tenant_id, event_id, ticket_type_id, price_minor, currency, status, claimable_after)
    select ${type.tenant_id}, ${type.event_id}, ${type.id}, ${type.price_minor}, ${type.currency}, 'available', '-infinity'
    from generate_series(1, ${count})`.execute(db)
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

export interface Claim {
  typeId: string
  quantity: number
  reservationId: string
  priceMinor: number
  heldUntil: Date
  now: Date
}

/**
 * Claims exactly `quantity` tickets for a reservation in one statement, or none: concurrent claims
 * skip each other's locked rows, so no row is ever claimed twice and a type never sells past its rows.
 */
export async function claimTickets(db: Queryable, claim: Claim): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`
    with picked as (
      select id from tickets where ticket_type_id = ${claim.typeId} and claimable_after <= ${claim.now}
      order by claimable_after, id limit ${claim.quantity} for update skip locked),
    enough as (select count(*) = ${claim.quantity} as ok from picked)
    update tickets t set status = 'pending_payment', claimable_after = ${claim.heldUntil}, reserved_until = ${claim.heldUntil},
      reservation_id = ${claim.reservationId}, price_minor = ${claim.priceMinor}, user_id = null, original_user_id = null,
      updated_at = ${claim.now}
    from picked, enough where t.id = picked.id and enough.ok
    returning t.id`.execute(db)
  return rows.map((row) => row.id)
}

