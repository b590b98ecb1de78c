/**
 * Organisers (tenants) and their staff: applying to sell, inviting managers and scanners, and choosing
 * which events each scanner works. Writes happen in the platform context after the caller's right to
 * act on the tenant has been checked here.
 */
import { recordAudit } from '../audit/audit-log.ts'
import type { Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { MembershipRole } from '../db/schema.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import { normalizeEmail, RULES, throttle, type AccountDeps } from './auth-service.ts'
import { consumeToken, issueToken, peekToken } from './one-time-tokens.ts'

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000

function slugify(name: string): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40)
  return `${base || 'organiser'}-${crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36)}`
}

/** Upgrades the person's sessions to staff lifetimes once they work for an organiser. */
async function makeSessionsStaff(trx: Queryable, userId: string, now: Date) {
  await trx.updateTable('sessions')
    .set((eb) => ({
      kind: 'staff',
      idle_timeout_seconds: 30 * 60,
      expires_at: eb.fn('least', [eb.ref('expires_at'), eb.val(new Date(now.getTime() + 12 * 3600 * 1000))]),
    }))
    .where('user_id', '=', userId).where('kind', '=', 'buyer').where('revoked_at', 'is', null).execute()
}

export async function applyForTenant(deps: AccountDeps, userId: string, input: { name: string; contactPhone: string }) {
  return withContext(deps.db, SYSTEM, async (trx) => {
    const existing = await trx.selectFrom('memberships').select('id').where('user_id', '=', userId).executeTakeFirst()
    if (existing) throw new DomainError(409, 'already_member', 'apply.alreadyMember')
    const user = await trx.selectFrom('users').select('email').where('id', '=', userId).executeTakeFirstOrThrow()
    const tenant = await trx.insertInto('tenants').values({
      name: input.name.trim(), slug: slugify(input.name), status: 'pending', contact_phone: input.contactPhone,
      contact_email: user.email, applicant_user_id: userId,
    }).returning('id').executeTakeFirstOrThrow()
    await trx.insertInto('memberships').values({ tenant_id: tenant.id, user_id: userId, role: 'manager' }).execute()
    await makeSessionsStaff(trx, userId, deps.now)
    await recordAudit(trx, { action: 'tenant_applied', tenantId: tenant.id, actorUserId: userId, targetType: 'tenant', targetId: tenant.id })
    return tenant.id
  })
}

/**
 * Invitations are emails to any address carrying the organiser's name, so only an approved organiser
 * sends them; one waiting for approval is told why, a suspended one is refused.
 */
async function assertMayInvite(trx: Queryable, tenantId: string) {
  const tenant = await trx.selectFrom('tenants').select('status').where('id', '=', tenantId).executeTakeFirst()
  if (tenant?.status === 'active') return
  if (tenant?.status === 'pending') throw new DomainError(403, 'organiser_not_approved', 'manage.staff.pendingNoInvites')
  if (tenant?.status === 'suspended') throw new DomainError(403, 'organiser_suspended', 'manage.suspended')
  throw new DomainError(403, 'forbidden', 'error.forbidden')
}

export async function inviteStaff(
  deps: AccountDeps,
  invite: { tenantId: string; tenantName: string; invitedBy: string; email: string; role: MembershipRole },
) {
  const email = normalizeEmail(invite.email)
  await withContext(deps.db, SYSTEM, async (trx) => {
    await assertMayInvite(trx, invite.tenantId)
    // counted only once the organiser may invite, so refused attempts before approval cost nothing
    await throttle(deps, 'invite:tenant', invite.tenantId, RULES.invitationsPerTenant)
    const secret = await issueToken(trx, {
      purpose: 'staff_invitation', userId: null, target: email, forTenantId: invite.tenantId, ttlMs: INVITE_TTL_MS,
      now: deps.now, metadata: { role: invite.role, invitedBy: invite.invitedBy },
    })
    await recordAudit(trx, { action: 'staff_invited', tenantId: invite.tenantId, actorUserId: invite.invitedBy,
      metadata: { role: invite.role } })
    await enqueueNotification(trx, {
      type: 'staff_invitation', channel: 'email', email, tenantId: invite.tenantId, userId: null, lang: deps.lang, now: deps.now,
      ring: deps.secretKeys, secrets: { inviteLink: `${deps.origin}/invitations/accept?token=${secret}` },
      data: { organiser: invite.tenantName, role: deps.t(invite.role === 'manager' ? 'manage.role.manager' : 'manage.role.scanner') },
    })
  })
}

/** Joins the organiser of an invitation; the signed-in account must have the invited email. */
export async function acceptInvitation(deps: AccountDeps, user: { id: string; email: string | null }, token: string) {
  return withContext(deps.db, SYSTEM, async (trx) => {
    const invitation = await peekToken(trx, 'staff_invitation', token, deps.now)
    if (!invitation) throw new DomainError(400, 'invalid_token', 'invite.invalid')
    if (!user.email || normalizeEmail(user.email) !== invitation.target) {
      throw new DomainError(403, 'wrong_account', 'invite.wrongAccount')
    }
    const used = await consumeToken(trx, 'staff_invitation', token, deps.now)
    if (!used?.for_tenant_id) throw new DomainError(400, 'invalid_token', 'invite.invalid')
    const role = (used.metadata as { role?: MembershipRole }).role === 'manager' ? 'manager' : 'scanner'
    await trx.insertInto('memberships').values({ tenant_id: used.for_tenant_id, user_id: user.id, role })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ role })).execute()
    await makeSessionsStaff(trx, user.id, deps.now)
    await recordAudit(trx, { action: 'staff_joined', tenantId: used.for_tenant_id, actorUserId: user.id, metadata: { role } })
    const tenant = await trx.selectFrom('tenants').select(['id', 'name']).where('id', '=', used.for_tenant_id).executeTakeFirstOrThrow()
    return tenant
  })
}

export interface PendingInvitation {
  id: string
  email: string
  role: MembershipRole
  sentAt: Date
  expiresAt: Date
}

/** The tenant's invitations still open (unused, unexpired), newest first. Tokens are platform rows. */
export async function listPendingInvitations(deps: Pick<AccountDeps, 'db' | 'now'>, tenantId: string): Promise<PendingInvitation[]> {
  const rows = await withContext(deps.db, SYSTEM, (trx) => trx.selectFrom('one_time_tokens')
    .select(['id', 'target', 'metadata', 'created_at', 'expires_at'])
    .where('purpose', '=', 'staff_invitation').where('for_tenant_id', '=', tenantId)
    .where('used_at', 'is', null).where('expires_at', '>', deps.now)
    .orderBy('created_at', 'desc').limit(200).execute())
  return rows.map((row) => ({
    id: row.id, email: row.target, sentAt: row.created_at, expiresAt: row.expires_at,
    role: (row.metadata as { role?: MembershipRole }).role === 'manager' ? 'manager' : 'scanner',
  }))
}

/** Withdraws an open invitation of the manager's own tenant: its link stops working. */
export async function withdrawInvitation(
  deps: Pick<AccountDeps, 'db' | 'now'>, actor: { tenantId: string; userId: string }, invitationId: string,
) {
  await withContext(deps.db, SYSTEM, async (trx) => {
    const withdrawn = await trx.updateTable('one_time_tokens').set({ used_at: deps.now })
      .where('id', '=', invitationId).where('purpose', '=', 'staff_invitation').where('for_tenant_id', '=', actor.tenantId)
      .where('used_at', 'is', null).where('expires_at', '>', deps.now)
      .returning(['id', 'metadata']).executeTakeFirst()
    if (!withdrawn) throw new DomainError(404, 'not_found', 'manage.invitations.notFound')
    const role = (withdrawn.metadata as { role?: string } | null)?.role
    await recordAudit(trx, {
      action: 'invitation_withdrawn', tenantId: actor.tenantId, actorUserId: actor.userId,
      targetType: 'invitation', targetId: withdrawn.id, metadata: role ? { role } : {},
    })
  })
}

export function listStaff(trx: Queryable, tenantId: string) {
  return trx.selectFrom('memberships as m').innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.name', 'u.email', 'm.role'])
    .where('m.tenant_id', '=', tenantId).orderBy('m.created_at').execute()
}

export function listScannerAssignments(trx: Queryable, tenantId: string) {
  return trx.selectFrom('scanner_assignments').select(['user_id', 'event_id']).where('tenant_id', '=', tenantId).execute()
}

/** Replaces the events a staff member scans. Runs in the manager's tenant context: other tenants' events are invisible. */
export async function assignScannerEvents(trx: Queryable, actor: { tenantId: string; userId: string }, staffUserId: string, eventIds: string[]) {
  const member = await trx.selectFrom('memberships').select('id')
    .where('tenant_id', '=', actor.tenantId).where('user_id', '=', staffUserId).executeTakeFirst()
  if (!member) throw new DomainError(404, 'not_found', 'manage.staff.notFound')
  const unique = [...new Set(eventIds)]
  if (unique.length > 0) {
    const found = await trx.selectFrom('events').select(['id', 'status'])
      .where('tenant_id', '=', actor.tenantId).where('id', 'in', unique).execute()
    if (found.length !== unique.length) throw new DomainError(422, 'unknown_event', 'manage.staff.unknownEvent')
    // nobody is newly assigned to an event that is over or called off (an assignment made before stays)
    const closed = found.filter((event) => event.status === 'completed' || event.status === 'cancelled').map((event) => event.id)
    if (closed.length > 0) {
      const kept = await trx.selectFrom('scanner_assignments').select('event_id')
        .where('tenant_id', '=', actor.tenantId).where('user_id', '=', staffUserId).where('event_id', 'in', closed).execute()
      if (kept.length < closed.length) throw new DomainError(422, 'event_closed', 'scanner.eventClosed')
    }
  }
  await trx.deleteFrom('scanner_assignments').where('tenant_id', '=', actor.tenantId).where('user_id', '=', staffUserId).execute()
  if (unique.length > 0) {
    await trx.insertInto('scanner_assignments')
      .values(unique.map((eventId) => ({ tenant_id: actor.tenantId, event_id: eventId, user_id: staffUserId }))).execute()
  }
  await recordAudit(trx, { action: 'scanner_events_assigned', tenantId: actor.tenantId, actorUserId: actor.userId,
    targetType: 'user', targetId: staffUserId, metadata: { events: unique.length } })
}

export async function removeStaff(trx: Queryable, actor: { tenantId: string; userId: string }, staffUserId: string) {
  if (staffUserId === actor.userId) throw new DomainError(422, 'cannot_remove_self', 'manage.staff.cannotRemoveSelf')
  await trx.deleteFrom('scanner_assignments').where('tenant_id', '=', actor.tenantId).where('user_id', '=', staffUserId).execute()
  const removed = await trx.deleteFrom('memberships').where('tenant_id', '=', actor.tenantId).where('user_id', '=', staffUserId)
    .executeTakeFirst()
  if (Number(removed.numDeletedRows) === 0) throw new DomainError(404, 'not_found', 'manage.staff.notFound')
  await recordAudit(trx, { action: 'staff_removed', tenantId: actor.tenantId, actorUserId: actor.userId,
    targetType: 'user', targetId: staffUserId })
}
