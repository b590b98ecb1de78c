/** Tables of the waiting room (its Postgres queue store) and of the waiting list (migrations/0028). */
import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt, Timestamp, UpdatedAt } from './column-types.ts'

/**
 * One browser in an event's queue: score < 1 drawn before the opening, else 1 + its arrival number; its
 * place is given at the opening's draw or on arrival after it (migrations/0031).
 */
export interface WaitingRoomEntryTable {
  event_id: string
  browser_id: string
  score: number
  place: ColumnType<string | null, string | number | null | undefined, string | number | null>
  admitted_until: Timestamp | null
  joined_at: CreatedAt
}

/** How far an event's queue has admitted, and when it last moved. */
export interface WaitingRoomGateTable {
  event_id: string
  admitted: ColumnType<number, number | undefined, number>
  advanced_at: Timestamp
  /** Places given so far: the gate never passes it. */
  arrivals: ColumnType<string, string | number | undefined, string | number>
  /** Whether the pre-queue has been drawn into places. */
  drawn: ColumnType<boolean, boolean | undefined, boolean>
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
