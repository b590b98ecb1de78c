/** The notifications table as the dispatcher, the webhooks and the message log use it. */
import { sql } from 'kysely'
import type { Queryable } from '../db/database.ts'
import type { NotificationStatus } from '../db/schema.ts'

/** A dispatcher holds a claimed row this long; past it the row counts as abandoned mid-send. */
export const SEND_LEASE_MS = 2 * 60_000

/**
 * Claims up to `limit` due rows (FOR UPDATE SKIP LOCKED: two dispatchers never take the same row) and
 * marks them `sending` before any provider is called. `stale` rows were left in `sending` by a
 * dispatcher that died mid-send.
 */
export async function claimDueNotifications(trx: Queryable, now: Date, limit: number) {
  const due = await trx.selectFrom('notifications').select(['id', 'status'])
    .where((w) => w.or([
      w.and([w('status', '=', 'pending'), w(sql`coalesce(next_attempt_at, created_at)`, '<=', now)]),
      w.and([w('status', '=', 'sending'), w('locked_until', '<', now)]),
    ]))
    .orderBy(sql`coalesce(next_attempt_at, created_at)`).limit(limit).forUpdate().skipLocked().execute()
  if (due.length === 0) return []
  const stale = new Set(due.filter((row) => row.status === 'sending').map((row) => row.id))
  const rows = await trx.updateTable('notifications')
    .set((eb) => ({ status: 'sending', retry_count: eb('retry_count', '+', 1), locked_until: new Date(now.getTime() + SEND_LEASE_MS), updated_at: now }))
    .where('id', 'in', due.map((row) => row.id)).returningAll().execute()
  return rows.map((row) => ({ ...row, stale: stale.has(row.id) }))
}

export type ClaimedNotification = Awaited<ReturnType<typeof claimDueNotifications>>[number]

export async function markNotificationSent(trx: Queryable, id: string, channel: 'email' | 'whatsapp', providerId: string, now: Date) {
  await trx.updateTable('notifications').set({
    status: 'sent', sent_at: now, updated_at: now, locked_until: null, last_error: null, next_attempt_at: null,
    ...(channel === 'email' ? { email_id: providerId } : { whatsapp_id: providerId }),
  }).where('id', '=', id).where('status', '=', 'sending').execute()
}

export async function markNotificationRetry(trx: Queryable, id: string, nextAt: Date, error: string, now: Date) {
  await trx.updateTable('notifications').set({ status: 'pending', next_attempt_at: nextAt, last_error: error, locked_until: null, updated_at: now })
    .where('id', '=', id).where('status', '=', 'sending').execute()
}

export async function markNotificationFailed(trx: Queryable, id: string, error: string, now: Date) {
  await trx.updateTable('notifications').set({ status: 'failed', last_error: error, locked_until: null, next_attempt_at: null, updated_at: now })
    .where('id', '=', id).where('status', '=', 'sending').execute()
}

/** Hands a claimed row back untouched (the channel's pace has no slot yet): the attempt does not count. */
export async function releaseNotification(trx: Queryable, id: string, nextAt: Date, now: Date) {
  await trx.updateTable('notifications')
    .set((eb) => ({ status: 'pending', next_attempt_at: nextAt, locked_until: null, updated_at: now, retry_count: eb('retry_count', '-', 1) }))
    .where('id', '=', id).where('status', '=', 'sending').execute()
}

/** The tenant's wording of a type in a language, if it stored one. */
export function findTemplate(trx: Queryable, tenantId: string, type: string, lang: 'en' | 'sw') {
  return trx.selectFrom('notification_templates').select(['subject', 'body'])
    .where('tenant_id', '=', tenantId).where('type', '=', type).where('lang', '=', lang).executeTakeFirst()
}

/** Provider feedback by provider id: a status only moves forward (a late "delivered" never undoes a bounce). */
export async function applyProviderFeedback(
  trx: Queryable, by: { emailId?: string; whatsappId?: string }, change: { status?: NotificationStatus; delivered?: boolean; error?: string }, now: Date,
) {
  let query = trx.updateTable('notifications').set({
    ...(change.status ? { status: change.status } : {}),
    ...(change.delivered ? { delivered_at: now } : {}),
    ...(change.error ? { last_error: change.error.slice(0, 300) } : {}),
    updated_at: now,
  })
  query = by.emailId ? query.where('email_id', '=', by.emailId) : query.where('whatsapp_id', '=', by.whatsappId ?? '')
  if (change.status === 'bounced' || change.status === 'failed') query = query.where('status', 'in', ['sent', 'sending'])
  else query = query.where('status', '=', 'sent')
  const rows = await query.returning('id').execute()
  return rows.length
}

export function eventOfNotification(trx: Queryable, eventId: string) {
  return trx.selectFrom('events').select(['title', 'starts_at', 'whatsapp_ticket_pdf', 'status']).where('id', '=', eventId).executeTakeFirst()
}
