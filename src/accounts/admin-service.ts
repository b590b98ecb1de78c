/** The super admin's side of tenants: approving, suspending, and setting the platform commission. */
import { recordAudit } from '../audit/audit-log.ts'
import type { Queryable } from '../db/database.ts'
import type { TenantStatus } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'

export function listTenantsForAdmin(trx: Queryable) {
  return trx.selectFrom('tenants as t')
    .leftJoin('users as u', 'u.id', 't.applicant_user_id')
    .select(['t.id', 't.name', 't.slug', 't.status', 't.commission_rate_bps', 't.contact_email', 't.created_at',
      'u.name as applicant_name'])
    .orderBy((eb) => eb.case().when('t.status', '=', 'pending').then(0).else(1).end())
    .orderBy('t.created_at', 'desc')
    .execute()
}

async function updateTenant(trx: Queryable, tenantId: string, values: { status?: TenantStatus; commission_rate_bps?: number }, now: Date) {
  const updated = await trx.updateTable('tenants').set({ ...values, updated_at: now }).where('id', '=', tenantId)
    .returning('id').executeTakeFirst()
  if (!updated) throw new DomainError(404, 'not_found', 'admin.tenantNotFound')
}

/** Approving activates the tenant; suspending stops its events from selling. */
export async function setTenantStatus(trx: Queryable, adminId: string, tenantId: string, status: 'active' | 'suspended', now: Date) {
  await updateTenant(trx, tenantId, { status }, now)
  await recordAudit(trx, {
    action: status === 'active' ? 'tenant_approved' : 'tenant_suspended',
    tenantId, actorUserId: adminId, targetType: 'tenant', targetId: tenantId,
  })
}

export async function setCommission(trx: Queryable, adminId: string, tenantId: string, basisPoints: number, now: Date) {
  await updateTenant(trx, tenantId, { commission_rate_bps: basisPoints }, now)
  await recordAudit(trx, { action: 'commission_changed', tenantId, actorUserId: adminId, targetType: 'tenant',
    targetId: tenantId, metadata: { basisPoints } })
}
