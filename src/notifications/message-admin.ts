/**
 * What managers do with messages: word their buyers' messages per type and language (placeholders
 * checked at save), see the message log, and send a failed message again. Queries take the caller's
 * transaction (a manager's tenant context, or the super admin's platform one).
 */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { NotificationStatus } from '../db/schema.ts'
import type { Lang } from '../i18n/index.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { defaultTemplate, gluedLinks, PLACEHOLDERS, TENANT_TYPES, unknownPlaceholders, type Template } from './templates.ts'

export type TenantMessageType = (typeof TENANT_TYPES)[number]

export function isTenantType(type: string): type is TenantMessageType {
  return (TENANT_TYPES as readonly string[]).includes(type)
}

/** The types with, per language, the tenant's wording when it has one. */
export async function listTemplates(trx: Queryable, tenantId: string) {
  const own = await trx.selectFrom('notification_templates').select(['type', 'lang', 'updated_at']).where('tenant_id', '=', tenantId).execute()
  return TENANT_TYPES.map((type) => ({
    type,
    custom: { en: own.some((row) => row.type === type && row.lang === 'en'), sw: own.some((row) => row.type === type && row.lang === 'sw') },
  }))
}

/** The wording that applies (the tenant's or the catalog's) and whether it is the tenant's own. */
export async function templateInUse(trx: Queryable, tenantId: string, type: TenantMessageType, lang: Lang): Promise<Template & { custom: boolean }> {
  const own = await trx.selectFrom('notification_templates').select(['subject', 'body'])
    .where('tenant_id', '=', tenantId).where('type', '=', type).where('lang', '=', lang).executeTakeFirst()
  return own ? { ...own, custom: true } : { ...defaultTemplate(type, lang)!, custom: false }
}

/** Saves a tenant's wording; unknown placeholders and empty text are refused with the field's message. */
export async function saveTemplate(
  trx: Queryable, who: { tenantId: string; userId: string }, type: TenantMessageType, lang: Lang, input: Template, now: Date,
) {
  const subject = input.subject.trim()
  const body = input.body.replace(/\r\n/g, '\n').trim()
  if (!subject) throw new DomainError(422, 'subject_required', 'messages.subjectRequired')
  if (!body) throw new DomainError(422, 'body_required', 'messages.bodyRequired')
  for (const text of [subject, body]) {
    const unknown = unknownPlaceholders(type, text)
    if (unknown.length) {
      throw new DomainError(422, 'unknown_placeholder', 'messages.unknownPlaceholder',
        { names: unknown.join(', '), allowed: PLACEHOLDERS[type].map((name) => `{{${name}}}`).join(' ') })
    }
    const glued = gluedLinks(text)
    if (glued.length) throw new DomainError(422, 'link_not_alone', 'messages.linkAlone', { names: glued.join(', ') })
  }
  await trx.insertInto('notification_templates').values({ tenant_id: who.tenantId, type, lang, subject, body, updated_by: who.userId, updated_at: now })
    .onConflict((oc) => oc.columns(['tenant_id', 'type', 'lang']).doUpdateSet({ subject, body, updated_by: who.userId, updated_at: now }))
    .execute()
}

export async function resetTemplate(trx: Queryable, tenantId: string, type: TenantMessageType, lang: Lang) {
  await trx.deleteFrom('notification_templates').where('tenant_id', '=', tenantId).where('type', '=', type).where('lang', '=', lang).execute()
}

export const LOG_STATUSES = ['pending', 'sending', 'sent', 'failed', 'bounced'] as const satisfies readonly NotificationStatus[]
export const LOG_PAGE_SIZE = 100

export interface LogFilter {
  /** Absent: every tenant (the super admin). */
  tenantId?: string
  eventId?: string
  status?: NotificationStatus
}

/** The newest messages first, with what a person needs to act on them (never the content or the address). */
export function listMessageLog(trx: Queryable, filter: LogFilter) {
  let query = trx.selectFrom('notifications as n').leftJoin('events as e', 'e.id', 'n.event_id').leftJoin('tenants as t', 't.id', 'n.tenant_id')
    .select(['n.id', 'n.type', 'n.channel', 'n.status', 'n.retry_count', 'n.last_error', 'n.created_at', 'n.sent_at', 'n.delivered_at',
      'e.title as event_title', 't.name as tenant_name'])
  if (filter.tenantId) query = query.where('n.tenant_id', '=', filter.tenantId)
  if (filter.eventId) query = query.where('n.event_id', '=', filter.eventId)
  if (filter.status) query = query.where('n.status', '=', filter.status)
  return query.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(LOG_PAGE_SIZE).execute()
}

export type MessageLogRow = Awaited<ReturnType<typeof listMessageLog>>[number]

/**
 * Puts a failed (or bounced) message back in the queue for a fresh round of attempts. The round is
 * counted in the content: its sends carry a new Idempotency-Key (dispatcher.ts idempotencyKeyOf), or
 * Resend would answer the first round's result for 24 hours and send nothing.
 */
export async function sendAgain(trx: Queryable, tenantId: string | undefined, id: string, now: Date) {
  let query = trx.updateTable('notifications')
    .set({
      status: 'pending', retry_count: 0, next_attempt_at: null, locked_until: null, updated_at: now,
      content: sql`jsonb_set(content, '{round}', to_jsonb(coalesce((content->>'round')::int, 0) + 1))`,
    })
    .where('id', '=', id).where('status', 'in', ['failed', 'bounced'])
  if (tenantId) query = query.where('tenant_id', '=', tenantId)
  const row = await query.returning('id').executeTakeFirst()
  if (!row) throw new NotFoundError()
}
