/** Tables of the waiting room (its Postgres queue store) and of the waiting list (migrations/0028). */
import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt, Timestamp, UpdatedAt } from './column-types.ts'

/** One browser in an event's queue: score < 1 drawn before the opening, else its arrival number. */
export interface WaitingRoomEntryTable {
  event_id: string
  browser_id: string
  score: number
  admitted_until: Timestamp | null
  joined_at: CreatedAt
}

/** How far an event's queue has admitted, and when it last moved. */
export interface WaitingRoomGateTable {
  event_id: string
  admitted: ColumnType<number, number | undefined, number>
  advanced_at: Timestamp
}

export type WaitingListStatus = 'waiting' | 'offered' | 'claimed' | 'lapsed'

export interface WaitingListEntryTable {
  id: Generated<string>
  /** Sign-up order. */
  seq: ColumnType<string, never, never>
  tenant_id: string
  event_id: string
  ticket_type_id: string
  email: string | null
  phone: string | null
  lang: ColumnType<'en' | 'sw', 'en' | 'sw' | undefined, 'en' | 'sw'>
  origin: string
  status: ColumnType<WaitingListStatus, WaitingListStatus | undefined, WaitingListStatus>
  offer_token_hash: string | null
  offered_until: Timestamp | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}
