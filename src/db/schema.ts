/**
 * Kysely table types, one interface per table of `migrations/`. Money columns end in `_minor`
 * (integer minor units); timestamps are `timestamptz` and arrive as `Date`.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely'

type CreatedAt = ColumnType<Date, Date | string | undefined, never>
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>
type Timestamp = ColumnType<Date, Date | string, Date | string>
/**
 * jsonb columns, all with a default of '{}'. Written as objects, never as JSON text: postgres.js
 * serialises jsonb parameters itself, so a string would be stored as a JSON string.
 */
type Json<T = Record<string, unknown>> = ColumnType<T, T | undefined, T>

export type TenantStatus = 'pending' | 'active' | 'suspended'
export type UserRole = 'super_admin' | 'event_manager' | 'user' | 'scanner'
export type MembershipRole = 'manager' | 'scanner'
export type EventStatus = 'draft' | 'published' | 'ongoing' | 'completed' | 'cancelled'
export type TicketStatus = 'pending_payment' | 'paid' | 'active' | 'transferred' | 'used' | 'expired' | 'cancelled'
export type TransactionStatus = 'pending' | 'completed' | 'failed' | 'refunded'
export type TransactionType = 'purchase' | 'resale' | 'transfer_fee'
export type TransferStatus = 'pending' | 'completed' | 'cancelled'
export type ListingStatus = 'active' | 'sold' | 'cancelled'
export type ScanResult = 'valid' | 'duplicate' | 'invalid' | 'expired' | 'transferred'
export type NotificationType =
  | 'ticket_delivery'
  | 'payment_failed'
  | 'event_reminder'
  | 'transfer_confirmation'
  | 'password_reset'
  | 'verification_code'
  | 'staff_invitation'
export type NotificationChannel = 'email' | 'whatsapp' | 'both'
export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'bounced'
export type JobStatus = 'pending' | 'running' | 'done' | 'failed'

export interface TenantTable {
  id: Generated<string>
  name: string
  slug: string
  status: ColumnType<TenantStatus, TenantStatus | undefined, TenantStatus>
  commission_rate_bps: ColumnType<number, number | undefined, number>
  contact_email: string | null
  contact_phone: string | null
  applicant_user_id: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface UserTable {
  id: Generated<string>
  email: string | null
  password_hash: string | null
  name: string | null
  phone: string | null
  role: ColumnType<UserRole, UserRole | undefined, UserRole>
  is_guest: ColumnType<boolean, boolean | undefined, boolean>
  email_verified_at: Timestamp | null
  phone_verified_at: Timestamp | null
  google_sub: string | null
  preferred_lang: ColumnType<string, string | undefined, string>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface MembershipTable {
  id: Generated<string>
  tenant_id: string
  user_id: string
  role: MembershipRole
  created_at: CreatedAt
}

export interface SessionTable {
  id: Generated<string>
  user_id: string
  token_hash: string
  user_agent: string | null
  created_at: CreatedAt
  last_seen_at: ColumnType<Date, Date | string | undefined, Date | string>
  expires_at: Timestamp
  revoked_at: Timestamp | null
  kind: ColumnType<SessionKind, SessionKind | undefined, SessionKind>
  idle_timeout_seconds: number | null
  authenticated_at: ColumnType<Date, Date | string | undefined, Date | string>
  active_tenant_id: string | null
}

export type SessionKind = 'buyer' | 'staff'
export type TokenPurpose = 'password_reset' | 'email_verification' | 'phone_verification' | 'staff_invitation'

export interface OneTimeTokenTable {
  id: Generated<string>
  purpose: TokenPurpose
  token_hash: string
  user_id: string | null
  target: string
  for_tenant_id: string | null
  metadata: Json
  attempts: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  expires_at: Timestamp
  used_at: Timestamp | null
}

export interface EventTable {
  id: Generated<string>
  tenant_id: string
  manager_id: string
  slug: string
  title: string
  description: ColumnType<string, string | undefined, string>
  starts_at: Timestamp
  ends_at: Timestamp | null
  venue_name: string
  venue_address: ColumnType<string, string | undefined, string>
  venue_city: string
  venue_latitude: number | null
  venue_longitude: number | null
  poster_urls: ColumnType<string[], string[] | undefined, string[]>
  status: ColumnType<EventStatus, EventStatus | undefined, EventStatus>
  total_capacity: number
  currency: ColumnType<string, string | undefined, string>
  allow_transfers: ColumnType<boolean, boolean | undefined, boolean>
  allow_resale: ColumnType<boolean, boolean | undefined, boolean>
  max_transfers: ColumnType<number, number | undefined, number>
  transfer_fee_minor: ColumnType<number, number | undefined, number>
  resale_price_cap_pct: ColumnType<number, number | undefined, number>
  hold_minutes: ColumnType<number, number | undefined, number>
  ticket_template_url: string | null
  terms_and_conditions: ColumnType<string, string | undefined, string>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export type BlobPurpose = 'poster' | 'ticket_template'
export type BlobContentType = 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf'

export interface BlobTable {
  id: Generated<string>
  tenant_id: string
  purpose: BlobPurpose
  content_type: BlobContentType
  byte_size: number
  sha256: string
  data: Uint8Array | null
  storage_key: string | null
  is_public: ColumnType<boolean, boolean | undefined, boolean>
  created_at: CreatedAt
}

export interface MpesaCredentialTable {
  tenant_id: string
  environment: 'sandbox' | 'production'
  account_type: 'paybill' | 'till'
  shortcode: string
  encrypted_secrets: string
  key_id: string
  consumer_key_hint: ColumnType<string, string | undefined, string>
  updated_at: UpdatedAt
}

export interface TicketTypeTable {
  id: Generated<string>
  tenant_id: string
  event_id: string
  name: string
  description: ColumnType<string, string | undefined, string>
  price_minor: number
  currency: ColumnType<string, string | undefined, string>
  capacity: number
  sold: ColumnType<number, number | undefined, number>
  sales_start: Timestamp | null
  sales_end: Timestamp | null
  max_per_order: ColumnType<number, number | undefined, number>
  sort_order: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface TicketTable {
  id: Generated<string>
  tenant_id: string
  event_id: string
  ticket_type_id: string
  user_id: string | null
  original_user_id: string | null
  price_minor: number
  currency: ColumnType<string, string | undefined, string>
  status: ColumnType<TicketStatus, TicketStatus | undefined, TicketStatus>
  qr_code: string | null
  qr_version: ColumnType<number, number | undefined, number>
  transaction_id: string | null
  transfer_count: ColumnType<number, number | undefined, number>
  reserved_until: Timestamp | null
  scanned_at: Timestamp | null
  scanned_by: string | null
  created_at: CreatedAt
  updated_at: UpdatedAt
}

export interface TransactionTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string | null
  event_id: string
  user_id: string | null
  amount_minor: number
  commission_minor: ColumnType<number, number | undefined, number>
  currency: ColumnType<string, string | undefined, string>
  status: ColumnType<TransactionStatus, TransactionStatus | undefined, TransactionStatus>
  transaction_type: ColumnType<TransactionType, TransactionType | undefined, TransactionType>
  mpesa_receipt_number: string | null
  mpesa_phone: string | null
  checkout_request_id: string | null
  merchant_request_id: string | null
  failure_reason: string | null
  created_at: CreatedAt
  completed_at: Timestamp | null
}

export interface TransferTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string
  from_user_id: string
  to_user_id: string | null
  status: ColumnType<TransferStatus, TransferStatus | undefined, TransferStatus>
  otp_hash: string | null
  otp_verified: ColumnType<boolean, boolean | undefined, boolean>
  old_qr_code: string | null
  new_qr_code: string | null
  transfer_fee_minor: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  completed_at: Timestamp | null
}

export interface MarketplaceListingTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string
  event_id: string
  seller_id: string
  original_price_minor: number
  listing_price_minor: number
  max_price_minor: number | null
  currency: ColumnType<string, string | undefined, string>
  status: ColumnType<ListingStatus, ListingStatus | undefined, ListingStatus>
  created_at: CreatedAt
  sold_at: Timestamp | null
}

export interface ScanTable {
  id: Generated<string>
  tenant_id: string
  ticket_id: string | null
  event_id: string
  scanner_id: string
  scan_result: ScanResult
  latitude: number | null
  longitude: number | null
  device_info: string | null
  scanned_at: CreatedAt
  synced_at: Timestamp | null
}

export interface ScannerAssignmentTable {
  tenant_id: string
  event_id: string
  user_id: string
  created_at: CreatedAt
}

export interface NotificationTable {
  id: Generated<string>
  tenant_id: string | null
  user_id: string | null
  event_id: string | null
  ticket_id: string | null
  type: NotificationType
  channel: NotificationChannel
  status: ColumnType<NotificationStatus, NotificationStatus | undefined, NotificationStatus>
  email_id: string | null
  whatsapp_id: string | null
  content: Json
  retry_count: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  sent_at: Timestamp | null
}

export interface IdempotencyKeyTable {
  tenant_id: string
  scope: string
  key: string
  request_hash: string
  status_code: number | null
  response_body: Json | null
  created_at: CreatedAt
  expires_at: Timestamp
}

export interface JobTable {
  id: Generated<string>
  kind: string
  payload: Json
  run_at: ColumnType<Date, Date | string | undefined, Date | string>
  status: ColumnType<JobStatus, JobStatus | undefined, JobStatus>
  attempts: ColumnType<number, number | undefined, number>
  last_error: string | null
  locked_until: Timestamp | null
  dedupe_key: string | null
  created_at: CreatedAt
}

export interface AuditLogTable {
  id: Generated<string>
  tenant_id: string | null
  actor_user_id: string | null
  action: string
  target_type: string | null
  target_id: string | null
  metadata: Json
  created_at: CreatedAt
}

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
  transactions: TransactionTable
  transfers: TransferTable
  marketplace_listings: MarketplaceListingTable
  scans: ScanTable
  scanner_assignments: ScannerAssignmentTable
  notifications: NotificationTable
  idempotency_keys: IdempotencyKeyTable
  jobs: JobTable
  audit_log: AuditLogTable
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
