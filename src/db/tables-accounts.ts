/** Tables of people, tenants and platform plumbing. */
import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt, JobStatus, Json, MembershipRole, TenantStatus, Timestamp, UpdatedAt, UserRole } from './column-types.ts'

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
export type TokenPurpose = 'password_reset' | 'email_verification' | 'phone_verification' | 'staff_invitation' | 'ticket_link' | 'reservation_resume'

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
