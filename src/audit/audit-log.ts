/** The audit log: who did what, append-only. Metadata never holds secrets or passwords. */
import type { Queryable } from '../db/database.ts'

/** Every kind of entry, in the order the audit pages offer them as a filter. */
export const AUDIT_ACTIONS = [
  'login',
  'login_failed',
  'logout',
  'register',
  'password_changed',
  'password_reset',
  'session_revoked',
  'role_changed',
  'tenant_applied',
  'tenant_approved',
  'tenant_suspended',
  'commission_changed',
  'staff_invited',
  'invitation_withdrawn',
  'staff_joined',
  'staff_removed',
  'scanner_events_assigned',
  'scan_undone',
  'scanner_device_revoked',
  'refund_marked_by_hand',
  'payout_marked_paid',
  'waiting_room_changed',
] as const

export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export interface AuditEntry {
  action: AuditAction
  tenantId?: string | null
  actorUserId?: string | null
  targetType?: string
  targetId?: string
  metadata?: Record<string, unknown>
}

export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.insertInto('audit_log').values({
    action: entry.action,
    tenant_id: entry.tenantId ?? null,
    actor_user_id: entry.actorUserId ?? null,
    target_type: entry.targetType ?? null,
    target_id: entry.targetId ?? null,
    metadata: entry.metadata ?? {},
  }).execute()
}
