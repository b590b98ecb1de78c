/**
 * Kysely table types, one interface per table of `migrations/`. Money columns end in `_minor`
 * (integer minor units); timestamps are `timestamptz` and arrive as `Date`.
 */
import type { Insertable, Selectable, Updateable } from 'kysely'
import type { TenantTable, UserTable, MembershipTable, SessionTable, OneTimeTokenTable, IdempotencyKeyTable, JobTable, AuditLogTable } from './tables-accounts.ts'
import type { ExportJobTable, SavedReportTable } from './tables-analytics.ts'
import type { EventTable, BlobTable, MpesaCredentialTable, TicketTypeTable, TicketTable, ReservationTable, TicketSigningKeyTable, TransactionTable, RefundTable, PaymentFlagTable, TransferTable, MarketplaceListingTable, PayoutTable } from './tables-events.ts'
import type { ScanTable, ScannerAssignmentTable, ScannerDeviceTable } from './tables-gate.ts'
import type { NotificationTable, NotificationTemplateTable } from './tables-notifications.ts'
import type { WaitingListEntryTable, WaitingRoomEntryTable, WaitingRoomGateTable } from './tables-waitroom.ts'

export type * from './column-types.ts'
export type * from './tables-accounts.ts'
export type * from './tables-events.ts'
export type * from './tables-analytics.ts'
export type * from './tables-waitroom.ts'

export interface DB {
  tenants: TenantTable
  users: UserTable
  memberships: MembershipTable
  sessions: SessionTable
  one_time_tokens: OneTimeTokenTable
  events: EventTable
  mpesa_credentials: MpesaCredentialTable
  blobs: BlobTable
  ticket_types: TicketTypeTable
  tickets: TicketTable
  reservations: ReservationTable
  ticket_signing_keys: TicketSigningKeyTable
  transactions: TransactionTable
  refunds: RefundTable
  payouts: PayoutTable
  payment_flags: PaymentFlagTable
  transfers: TransferTable
  marketplace_listings: MarketplaceListingTable
  scans: ScanTable
  scanner_assignments: ScannerAssignmentTable
  scanner_devices: ScannerDeviceTable
  notifications: NotificationTable
  notification_templates: NotificationTemplateTable
  idempotency_keys: IdempotencyKeyTable
  jobs: JobTable
  audit_log: AuditLogTable
  saved_reports: SavedReportTable
  export_jobs: ExportJobTable
  waiting_room_entries: WaitingRoomEntryTable
  waiting_room_gates: WaitingRoomGateTable
  waiting_list_entries: WaitingListEntryTable
}

export type Tenant = Selectable<TenantTable>
export type NewTenant = Insertable<TenantTable>
export type User = Selectable<UserTable>
export type NewUser = Insertable<UserTable>
export type Event = Selectable<EventTable>
export type NewEvent = Insertable<EventTable>
export type EventUpdate = Updateable<EventTable>
export type TicketType = Selectable<TicketTypeTable>
export type NewTicketType = Insertable<TicketTypeTable>
export type Ticket = Selectable<TicketTable>
export type Session = Selectable<SessionTable>
export type OneTimeToken = Selectable<OneTimeTokenTable>
export type TransactionRow = Selectable<TransactionTable>
export type RefundRow = Selectable<RefundTable>
export type PayoutRow = Selectable<PayoutTable>
