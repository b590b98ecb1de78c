/**
 * Availability, defined once: a ticket type's rows that a new hold could claim now (available, or
 * held by a hold that has expired). Expired holds count for nothing the moment they expire, whether or
 * not any cleanup has run yet.
 */
import { sql, type RawBuilder } from 'kysely'

/**
 * SQL for what is still available of the ticket type aliased `alias`: its claimable rows (see
 * src/tickets/inventory.ts), counted by available_ticket_count() (see migrations), which sees every
 * buyer's holds whoever is asking and returns a number only.
 */
export function availableSql(alias: string, now: Date): RawBuilder<number> {
  return sql<number>`available_ticket_count(${sql.ref(`${alias}.id`)}, ${now})`
}

/** SQL for the sold-or-held count of the ticket type aliased `alias`, at `now`. */
export function committedSql(alias: string, now: Date): RawBuilder<number> {
  return sql<number>`(${sql.ref(`${alias}.capacity`)} - ${availableSql(alias, now)})`
}

export type SalesState = 'on_sale' | 'sold_out' | 'not_started' | 'ended'

export interface SalesWindow {
  available: number
  sales_start: Date | null
  sales_end: Date | null
}

export function salesState(type: SalesWindow, now: Date): SalesState {
  if (type.available <= 0) return 'sold_out'
  if (type.sales_start && type.sales_start > now) return 'not_started'
  if (type.sales_end && type.sales_end <= now) return 'ended'
  return 'on_sale'
}
