/**
 * Event reminders: 24 hours before the start, and on the day (08:00 Nairobi time, or 3 hours before an
 * event that starts before 11:00), to every holder of an active ticket, once per holder and kind.
 *
 * Publishing or moving an event schedules one `event-reminders` job per kind through the scheduler port
 * (the jobs table, or QStash with its delay). A job carries the start it was made for: after a move it
 * finds another start and does nothing (the move scheduled new ones); a cancelled event gets none; and
 * a reminder still waiting when its event moves or is cancelled is dropped at send time (dispatcher.ts).
 * Holders are written in pages of REMINDER_PAGE rows per statement, so 10,000 holders block no request.
 */
import { sql } from 'kysely'
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { formatDateTime } from '../i18n/format.ts'
import { isLang } from '../i18n/index.ts'
import type { JobHandler, Scheduler } from '../jobs/scheduler.ts'
import { issueTokens } from '../accounts/one-time-tokens.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { enqueueNotifications, type NotificationRequest } from './outbox.ts'

export type ReminderKind = 'day_before' | 'day_of'
const NAIROBI_OFFSET_MS = 3 * 3600_000
export const REMINDER_PAGE = 500
/** A guest's link in a reminder stays usable this long (it works once). */
const REMINDER_LINK_TTL_MS = 7 * 24 * 3600_000

/** When each reminder of an event starting at `startsAt` is due. */
export function reminderTimes(startsAt: Date): Record<ReminderKind, Date> {
  const local = new Date(startsAt.getTime() + NAIROBI_OFFSET_MS)
  const early = local.getUTCHours() < 11
  const eightLocal = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), 8) - NAIROBI_OFFSET_MS
  return {
    day_before: new Date(startsAt.getTime() - 24 * 3600_000),
    day_of: new Date(early ? startsAt.getTime() - 3 * 3600_000 : eightLocal),
  }
}

/** Schedules the reminders still ahead for an event's current start (safe to call again: deduped per start). */
export async function scheduleEventReminders(scheduler: Scheduler, event: { id: string; starts_at: Date }, now: Date) {
  const times = reminderTimes(event.starts_at)
  for (const kind of ['day_before', 'day_of'] as const) {
    if (times[kind] <= now || times[kind] >= event.starts_at) continue
    const startsAt = event.starts_at.toISOString()
    await scheduler.enqueue({
      kind: 'event-reminders', payload: { eventId: event.id, kind, startsAt }, runAt: times[kind],
      dedupeKey: `event-reminders:${event.id}:${kind}:${startsAt}`,
    })
  }
}

/** Schedules an event's reminders by id (after the manager publishes or moves it). */
export async function scheduleRemindersFor(db: Database, scheduler: Scheduler, eventId: string, now: Date) {
  const event = await withContext(db, SYSTEM, (trx) => trx.selectFrom('events').select(['id', 'starts_at', 'status'])
    .where('id', '=', eventId).executeTakeFirst())
  if (event && (event.status === 'published' || event.status === 'ongoing')) await scheduleEventReminders(scheduler, event, now)
}

interface Holder {
  user_id: string
  name: string | null
  is_guest: boolean
  email: string | null
  email_verified_at: Date | null
  buyer_email: string | null
  notify_channel: 'email' | 'whatsapp' | 'both' | null
  mpesa_phone: string | null
  lang: string | null
}

/**
 * The holders of active tickets after `afterUserId`, one row each, with how they asked to hear from us:
 * the buyer's checkout choice when they still hold what they bought, else a confirmed email only
 * (nobody gets a WhatsApp message they did not opt in to).
 */
function holdersPage(trx: Queryable, eventId: string, afterUserId: string, limit: number) {
  return sql<Holder>`
    select distinct on (t.user_id) t.user_id, u.name, u.is_guest, u.email, u.email_verified_at,
           tx.buyer_email, tx.notify_channel, tx.mpesa_phone, tx.lang
      from tickets t
      join users u on u.id = t.user_id
      left join transactions tx on tx.id = t.transaction_id and (t.original_user_id is null or t.original_user_id = t.user_id)
     where t.event_id = ${eventId} and t.status = 'active' and t.user_id > ${afterUserId}
     order by t.user_id, tx.created_at desc nulls last
     limit ${limit}`.execute(trx)
}

export interface ReminderJob {
  eventId: string
  kind: ReminderKind
  startsAt: string
}

/** Writes one reminder per holder (deduped per holder, kind and start); returns how many were written. */
export async function writeEventReminders(db: Database, ring: KeyRing | undefined, job: ReminderJob, now: Date): Promise<number> {
  const event = await withContext(db, SYSTEM, (trx) => trx.selectFrom('events')
    .select(['id', 'tenant_id', 'title', 'starts_at', 'status', 'venue_name', 'venue_city']).where('id', '=', job.eventId).executeTakeFirst())
  if (!event || (event.status !== 'published' && event.status !== 'ongoing')) return 0
  if (event.starts_at.toISOString() !== job.startsAt || event.starts_at <= now) return 0
  const origin = await withContext(db, SYSTEM, (trx) => trx.selectFrom('transactions').select('origin')
    .where('event_id', '=', event.id).where('origin', 'is not', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst())
  let written = 0
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const count = await withContext(db, SYSTEM, async (trx) => {
      const { rows } = await holdersPage(trx, event.id, after, REMINDER_PAGE)
      if (rows.length === 0) return 0
      after = rows.at(-1)!.user_id
      const links = await guestLinks(trx, rows, now)
      const requests = rows.map((holder): NotificationRequest => {
        const lang = isLang(holder.lang) ? holder.lang : 'en'
        const confirmed = holder.email_verified_at ? holder.email : null
        const email = holder.buyer_email ?? confirmed
        const channel = holder.notify_channel ?? 'email'
        const link = links.get(holder.user_id)
        return {
          type: 'event_reminder', channel, email, phone: holder.notify_channel ? holder.mpesa_phone : null,
          tenantId: event.tenant_id, userId: holder.user_id, eventId: event.id, lang, now, ring,
          data: {
            buyerName: holder.name ?? '', eventTitle: event.title, eventStart: formatDateTime(event.starts_at, lang),
            venue: `${event.venue_name}, ${event.venue_city}`, startsAt: job.startsAt,
          },
          secrets: { ticketsLink: link ? `${origin?.origin ?? ''}/tickets/open/${link}` : `${origin?.origin ?? ''}/tickets` },
          dedupeKey: `reminder:${event.id}:${job.kind}:${job.startsAt}:${holder.user_id}`,
        }
      })
      return (await enqueueNotifications(trx, requests)).length || rows.length
    })
    if (count === 0) break
    written += count
  }
  return written
}

/** Single-use ticket links for the guests of a page, in one insert. */
async function guestLinks(trx: Queryable, holders: Holder[], now: Date): Promise<Map<string, string>> {
  const guests = holders.filter((holder) => holder.is_guest)
  const secrets = await issueTokens(trx, guests.map((guest) => ({
    purpose: 'ticket_link' as const, userId: null, target: guest.user_id, ttlMs: REMINDER_LINK_TTL_MS, now,
  })))
  return new Map(guests.map((guest, i) => [guest.user_id, secrets[i]!]))
}

export const eventRemindersJob: JobHandler = async (db, payload, now, services) => {
  const kind = payload.kind === 'day_of' ? 'day_of' : 'day_before'
  await writeEventReminders(db, services.secretKeys, { eventId: String(payload.eventId ?? ''), kind, startsAt: String(payload.startsAt ?? '') }, now)
}
