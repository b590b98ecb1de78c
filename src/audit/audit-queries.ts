/**
 * Reading the audit log: the super admin's view of the whole platform and a manager's view of their own
 * tenant, both filtered (actor, action, Nairobi days; the super admin also by tenant), newest first, 50
 * a page. The manager's query names the tenant explicitly on top of its RLS context, and shows who did
 * something only when that person is on the tenant's staff: a buyer or a platform admin stays anonymous.
 */
import { z } from 'zod'
import type { Queryable } from '../db/database.ts'
import { DomainError } from '../lib/domain-errors.ts'
import type { MessageKey } from '../i18n/index.ts'
import { parseNairobiLocal } from '../lib/nairobi-time.ts'
import { AUDIT_ACTIONS, type AuditAction } from './audit-log.ts'

export const AUDIT_PAGE_SIZE = 50
export const AUDIT_MAX_PAGE = 100_000
const DAY_MS = 24 * 3600 * 1000

/** The filter as typed, echoed back into the form. */
export interface AuditQuery {
  /** Super admin only: a tenant's id, `platform` for entries of no tenant, or nothing for all. */
  tenant?: string
  actor?: string
  action?: AuditAction
  from?: string
  to?: string
  page: number
}

export interface AuditEntryRow {
  id: string
  created_at: Date
  action: string
  tenant_id: string | null
  tenant_name: string | null
  actor_user_id: string | null
  /** Null when the page may not say who it was (for a manager: anyone not on their staff). */
  actor_email: string | null
  actor_name: string | null
  /** Someone did it, but the page may not say who (a manager's page, a person not on their staff). */
  actor_hidden: boolean
  target_type: string | null
  target_id: string | null
  metadata: unknown
}

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const DAY = /^\d{4}-\d{2}-\d{2}$/
const isDay = (text: string) => DAY.test(text) && parseNairobiLocal(`${text}T00:00`) !== null

const auditQuery = z.object({
  tenant: z.preprocess(blankToUndefined, z.string()
    .refine((text) => text === 'platform' || z.uuid().safeParse(text).success, { message: 'audit.bad.tenant' }).optional()),
  actor: z.preprocess(blankToUndefined, z.string().trim().max(254, { message: 'audit.bad.actor' }).optional()),
  action: z.preprocess(blankToUndefined, z.enum(AUDIT_ACTIONS, { message: 'audit.bad.action' }).optional()),
  from: z.preprocess(blankToUndefined, z.string().refine(isDay, { message: 'audit.bad.date' }).optional()),
  to: z.preprocess(blankToUndefined, z.string().refine(isDay, { message: 'audit.bad.date' }).optional()),
  page: z.preprocess(blankToUndefined, z.string().regex(/^\d{1,6}$/, { message: 'audit.bad.page' })
    .transform(Number).refine((n) => n >= 1 && n <= AUDIT_MAX_PAGE, { message: 'audit.bad.page' }).optional()),
})

const MESSAGES = new Set<string>(['audit.bad.tenant', 'audit.bad.actor', 'audit.bad.action', 'audit.bad.date', 'audit.bad.page'])

/**
 * `?tenant=&actor=&action=&from=&to=&page=` read strictly: a bad value is a 400 naming what is wrong,
 * never a guess. `tenant` is read only where the page offers it (the super admin's).
 */
export function parseAuditQuery(query: Record<string, string | undefined>, options: { tenants: boolean }): AuditQuery {
  const parsed = auditQuery.safeParse({
    tenant: options.tenants ? query.tenant : undefined,
    actor: query.actor, action: query.action, from: query.from, to: query.to, page: query.page,
  })
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    const key = (MESSAGES.has(issue.message) ? issue.message : 'audit.bad.page') as MessageKey
    throw new DomainError(400, `invalid_${String(issue.path[0] ?? 'query')}`, key)
  }
  const { from, to } = parsed.data
  if (from && to && from > to) throw new DomainError(400, 'invalid_range', 'audit.bad.range')
  return { ...parsed.data, page: parsed.data.page ?? 1 }
}

/** The query's days as instants: from the start of `from` to the end of `to`, Nairobi time. */
function timeRange(query: AuditQuery): { since?: Date; before?: Date } {
  return {
    since: query.from ? parseNairobiLocal(`${query.from}T00:00`)! : undefined,
    before: query.to ? new Date(parseNairobiLocal(`${query.to}T00:00`)!.getTime() + DAY_MS) : undefined,
  }
}

export interface AuditPage {
  entries: AuditEntryRow[]
  total: number
}

/** The super admin's page: every tenant's entries and the platform's own (logins, applications…). */
export async function listPlatformAudit(db: Queryable, query: AuditQuery): Promise<AuditPage> {
  const { since, before } = timeRange(query)
  const filtered = db.selectFrom('audit_log as a')
    .leftJoin('users as u', 'u.id', 'a.actor_user_id')
    .leftJoin('tenants as tn', 'tn.id', 'a.tenant_id')
    .$if(query.tenant === 'platform', (qb) => qb.where('a.tenant_id', 'is', null))
    .$if(!!query.tenant && query.tenant !== 'platform', (qb) => qb.where('a.tenant_id', '=', query.tenant!))
    .$if(!!query.actor, (qb) => qb.where((eb) => eb(eb.fn('lower', ['u.email']), '=', query.actor!.toLowerCase())))
    .$if(!!query.action, (qb) => qb.where('a.action', '=', query.action!))
    .$if(!!since, (qb) => qb.where('a.created_at', '>=', since!))
    .$if(!!before, (qb) => qb.where('a.created_at', '<', before!))
  const [entries, count] = await Promise.all([
    filtered.select(['a.id', 'a.created_at', 'a.action', 'a.tenant_id', 'tn.name as tenant_name', 'a.actor_user_id',
      'u.email as actor_email', 'u.name as actor_name', 'a.target_type', 'a.target_id', 'a.metadata'])
      .orderBy('a.created_at', 'desc').orderBy('a.id', 'desc')
      .limit(AUDIT_PAGE_SIZE).offset((query.page - 1) * AUDIT_PAGE_SIZE).execute(),
    filtered.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { entries: entries.map((row) => ({ ...row, id: String(row.id), actor_hidden: false })), total: Number(count.n) }
}

/**
 * A manager's page: their tenant's entries only. Actors are named only through the tenant's own
 * memberships, so filtering by someone else's email finds nothing and reveals nothing.
 */
export async function listTenantAudit(db: Queryable, tenantId: string, query: AuditQuery): Promise<AuditPage> {
  const { since, before } = timeRange(query)
  const filtered = db.selectFrom('audit_log as a')
    .leftJoin('memberships as m', (join) => join.onRef('m.user_id', '=', 'a.actor_user_id').on('m.tenant_id', '=', tenantId))
    .leftJoin('users as u', 'u.id', 'm.user_id')
    .where('a.tenant_id', '=', tenantId)
    .$if(!!query.actor, (qb) => qb.where((eb) => eb(eb.fn('lower', ['u.email']), '=', query.actor!.toLowerCase())))
    .$if(!!query.action, (qb) => qb.where('a.action', '=', query.action!))
    .$if(!!since, (qb) => qb.where('a.created_at', '>=', since!))
    .$if(!!before, (qb) => qb.where('a.created_at', '<', before!))
  const [entries, count] = await Promise.all([
    filtered.select(['a.id', 'a.created_at', 'a.action', 'a.tenant_id', 'a.actor_user_id', 'u.email as actor_email',
      'u.name as actor_name', 'a.target_type', 'a.target_id', 'a.metadata'])
      .orderBy('a.created_at', 'desc').orderBy('a.id', 'desc')
      .limit(AUDIT_PAGE_SIZE).offset((query.page - 1) * AUDIT_PAGE_SIZE).execute(),
    filtered.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return {
    entries: entries.map((row) => ({
      ...row, id: String(row.id), tenant_name: null,
      // the actor id stays off the page too when the person is not on the staff
      actor_user_id: row.actor_email ? row.actor_user_id : null,
      actor_hidden: !row.actor_email && row.actor_user_id !== null,
    })),
    total: Number(count.n),
  }
}

/** The tenants the super admin can filter by, by name. */
export function tenantsForAuditFilter(db: Queryable) {
  return db.selectFrom('tenants').select(['id', 'name']).orderBy('name').orderBy('id').execute()
}
