/**
 * Who is asking, as the app knows them once the session cookie is resolved: the person, their platform
 * role and their memberships. Types only, so the Hono environment can name them without importing the
 * middleware that loads them (current-user.ts).
 */
import type { MembershipRole, TenantStatus, UserRole } from '../db/schema.ts'
import type { LiveSession } from './sessions.ts'

export interface Membership {
  tenantId: string
  tenantName: string
  tenantStatus: TenantStatus
  role: MembershipRole
}

export interface CurrentUser {
  id: string
  email: string | null
  name: string | null
  phone: string | null
  role: UserRole
  isSuperAdmin: boolean
  emailVerified: boolean
  phoneVerified: boolean
  memberships: Membership[]
  /** The membership the person is working in (their only one, or the one they picked). */
  activeMembership: Membership | null
  session: LiveSession
}

/** Who requireManager or requireStaff let through: a signed-in person working in their active tenant. */
export interface StaffMember {
  user: CurrentUser
  userId: string
  tenantId: string
  tenantName: string
  role: MembershipRole
  /** The active membership as loaded, with the tenant's status, for the pages that show it. */
  membership: Membership
}

/** Who acts for a ticket on the owners' API routes (src/accounts/ticket-owner.ts): a session's user, or a paid reservation's token. */
export type TicketOwner =
  | { kind: 'session'; userId: string }
  | { kind: 'reservation'; reservationId: string; since: Date }
