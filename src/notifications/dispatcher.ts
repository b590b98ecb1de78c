/**
 * The one dispatcher: claims due notifications, renders each, hands it to its channel's sender at the
 * channel's pace, and records how it went. Runs from the scheduler port (each tick, a
 * `send-notifications` job, QStash) and right after a request that wrote a message commits.
 *
 * Never twice: a row is `sending` before its provider is called. Email carries Idempotency-Key = the
 * row id, so a retry after a lost answer is deduped by Resend. WAHA cannot dedupe: a WhatsApp send whose
 * answer was lost (or whose dispatcher died mid-send) is marked failed, "outcome unknown", and left to a
 * person ("send again" in the message log) rather than risk a second copy.
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { Scheduler } from '../jobs/scheduler.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import type { BlobStore } from '../storage/blob-store.ts'
import { buildTicketsPdf, reservationTicketIds } from '../tickets/ticket-pdf-service.ts'
import {
  claimDueNotifications, eventOfNotification, markNotificationFailed, markNotificationRetry, markNotificationSent, releaseNotification,
  type ClaimedNotification,
} from './notification-queries.ts'
import type { NotificationContent } from './outbox.ts'
import { renderNotification, type RenderedMessage } from './render.ts'
import type { EmailAttachment, MessageSenders, SendOutcome } from './senders.ts'

/** After this many attempts a message is `failed` and shown to the manager. */
export const MAX_ATTEMPTS = 6
const BACKOFF_BASE_MS = 30_000
const BACKOFF_CAP_MS = 60 * 60_000
/** The longest a dispatcher waits in-process for a pace slot; later slots are handed back to the table. */
const MAX_PACE_WAIT_MS = 2_000

export interface DispatchDeps {
  db: Database
  senders: MessageSenders
  secretKeys?: KeyRing
  blobStore: BlobStore
  /** Retries are scheduled through it too, so QStash deployments come back for them. */
  scheduler?: Scheduler
  clock?: () => Date
  sleep?: (ms: number) => Promise<void>
}

/** Exponential backoff with a cap: 30 s, 1 min, 2 min … at most an hour. */
export function backoffMs(attempt: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1))
}

/**
 * Resend's Idempotency-Key: the row id, so a retry after a lost answer is deduped; a manager's "send
 * again" starts a new round (content.round), which must reach the recipient as a new message.
 */
export function idempotencyKeyOf(row: { id: string; content: unknown }): string {
  const round = Number((row.content as { round?: unknown } | null)?.round ?? 0)
  return Number.isInteger(round) && round > 0 ? `${row.id}:${round}` : row.id
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function channelOf(row: ClaimedNotification): 'email' | 'whatsapp' {
  if (row.channel === 'email' || row.channel === 'whatsapp') return row.channel
  // an old row meant for both: its address says which
  return String((row.content as unknown as NotificationContent)?.to ?? '').includes('@') ? 'email' : 'whatsapp'
}

/** Delivers due messages, up to `limit`; returns how many were claimed. */
export async function dispatchDue(deps: DispatchDeps, limit = 25): Promise<number> {
  if (!deps.senders.enabled) return 0
  const clock = deps.clock ?? (() => new Date())
  const claimed = await withContext(deps.db, SYSTEM, (trx) => claimDueNotifications(trx, clock(), limit))
  const current = await remindersStillDue(deps.db, claimed)
  const batch: ClaimedNotification[] = []
  const single: ClaimedNotification[] = []
  for (const row of claimed) {
    if (row.type === 'event_reminder' && !current.has(row.id)) {
      await withContext(deps.db, SYSTEM, (trx) => markNotificationFailed(trx, row.id, 'not sent: the event moved or was cancelled', clock()))
    } else if (row.type === 'event_reminder' && channelOf(row) === 'email' && !row.stale && deps.senders.email.name === 'resend') {
      // bulk mail only: every other email goes alone with Idempotency-Key = its id
      batch.push(row)
    } else {
      single.push(row)
    }
  }
  // reminder emails (no attachments) go 100 to a request: Resend's batch endpoint takes no attachments
  for (let i = 0; i < batch.length; i += BATCH_SIZE) {
    const chunk = batch.slice(i, i + BATCH_SIZE)
    if (chunk.length === 1) single.push(chunk[0]!)
    else await deliverBatch(deps, chunk, clock)
  }
  for (const row of single) {
    try {
      await deliver(deps, row, clock)
    } catch (error) {
      await failUnprepared(deps, row, error, clock)
    }
  }
  return claimed.length
}

const BATCH_SIZE = 100

async function failUnprepared(deps: DispatchDeps, row: ClaimedNotification, error: unknown, clock: () => Date) {
  await withContext(deps.db, SYSTEM, (trx) =>
    markNotificationFailed(trx, row.id, `could not prepare the message: ${String((error as Error)?.message ?? error)}`.slice(0, 300), clock()))
}

/** The reminders whose event still starts when they were written for and is not cancelled. */
async function remindersStillDue(db: Database, rows: ClaimedNotification[]): Promise<Set<string>> {
  const reminders = rows.filter((row) => row.type === 'event_reminder')
  const eventIds = [...new Set(reminders.map((row) => row.event_id).filter((id): id is string => !!id))]
  if (eventIds.length === 0) return new Set()
  const events = await withContext(db, SYSTEM, (trx) => trx.selectFrom('events').select(['id', 'starts_at', 'status'])
    .where('id', 'in', eventIds).execute())
  const live = new Map(events.filter((event) => event.status === 'published' || event.status === 'ongoing')
    .map((event) => [event.id, event.starts_at.toISOString()]))
  return new Set(reminders.filter((row) => {
    const startsAt = ((row.content as unknown as NotificationContent).data ?? {}).startsAt
    return row.event_id !== null && live.get(row.event_id) === startsAt
  }).map((row) => row.id))
}

async function deliverBatch(deps: DispatchDeps, rows: ClaimedNotification[], clock: () => Date) {
  const ready: { row: ClaimedNotification; message: RenderedMessage }[] = []
  for (const row of rows) {
    try {
      ready.push({ row, message: await withContext(deps.db, SYSTEM, (trx) => renderNotification(trx, row, deps.secretKeys)) })
    } catch (error) {
      await failUnprepared(deps, row, error, clock)
    }
  }
  if (ready.length === 0) return
  if (ready.length === 1) {
    await deliver(deps, ready[0]!.row, clock).catch((error) => failUnprepared(deps, ready[0]!.row, error, clock))
    return
  }
  const wait = deps.senders.pace.email.reserve(Date.now())
  if (wait > 0) await (deps.sleep ?? defaultSleep)(Math.min(wait, MAX_PACE_WAIT_MS * 5))
  const outcomes = await deps.senders.email.sendBatch(ready.map(({ row, message }) => ({ ...message, idempotencyKey: idempotencyKeyOf(row) })))
  for (const [i, { row }] of ready.entries()) await record(deps, row, 'email', outcomes[i]!, clock)
}

async function deliver(deps: DispatchDeps, row: ClaimedNotification, clock: () => Date) {
  const channel = channelOf(row)
  if (row.stale && channel === 'whatsapp') {
    await withContext(deps.db, SYSTEM, (trx) => markNotificationFailed(trx, row.id,
      'outcome unknown: the sender stopped while WhatsApp was being called; not resent automatically to avoid a second copy', clock()))
    return
  }
  const pacer = deps.senders.pace[channel]
  // the pace is wall time, whatever clock the rows are stamped with
  const wait = pacer.reserve(Date.now())
  if (wait > MAX_PACE_WAIT_MS) {
    pacer.release()
    await withContext(deps.db, SYSTEM, (trx) => releaseNotification(trx, row.id, new Date(clock().getTime() + wait), clock()))
    await deps.scheduler?.enqueue({ kind: 'send-notifications', runAt: new Date(clock().getTime() + wait), dedupeKey: slotKey(clock().getTime() + wait) })
    return
  }
  if (wait > 0) await (deps.sleep ?? defaultSleep)(wait)
  const { message, pdf } = await withContext(deps.db, SYSTEM, async (trx) => ({
    message: await renderNotification(trx, row, deps.secretKeys),
    pdf: await ticketPdfFor(trx, deps.blobStore, row, channel),
  }))
  const outcome = await send(deps.senders, channel, idempotencyKeyOf(row), message, pdf)
  await record(deps, row, channel, outcome, clock)
}

/** The ticket delivery's PDF: always by email, on WhatsApp when the event allows it. */
async function ticketPdfFor(trx: Parameters<typeof buildTicketsPdf>[0], blobStore: BlobStore, row: ClaimedNotification, channel: 'email' | 'whatsapp') {
  const content = row.content as unknown as NotificationContent
  if (row.type !== 'ticket_delivery' || !content.reservationId) return undefined
  if (channel === 'whatsapp') {
    const event = row.event_id ? await eventOfNotification(trx, row.event_id) : undefined
    if (!event?.whatsapp_ticket_pdf) return undefined
  }
  const lang = row.lang === 'sw' ? 'sw' : 'en'
  return buildTicketsPdf(trx, blobStore, await reservationTicketIds(trx, content.reservationId), lang)
}

function send(senders: MessageSenders, channel: 'email' | 'whatsapp', id: string, message: RenderedMessage, pdf: Uint8Array | undefined): Promise<SendOutcome> {
  if (channel === 'email') {
    const attachments: EmailAttachment[] = pdf ? [{ filename: 'tickets.pdf', content: pdf }] : []
    return senders.email.send({ ...message, attachments, idempotencyKey: id })
  }
  return senders.whatsapp.send({ to: message.to, text: message.text, file: pdf ? { filename: 'tickets.pdf', mimetype: 'application/pdf', data: pdf } : undefined })
}

async function record(deps: DispatchDeps, row: ClaimedNotification, channel: 'email' | 'whatsapp', outcome: SendOutcome, clock: () => Date) {
  const now = clock()
  if (outcome.ok) {
    await withContext(deps.db, SYSTEM, (trx) => markNotificationSent(trx, row.id, channel, outcome.providerId, now))
    return
  }
  if (outcome.retryAfterMs) deps.senders.pace[channel].holdUntil(now.getTime() + outcome.retryAfterMs)
  if (outcome.retry === 'unknown') {
    await withContext(deps.db, SYSTEM, (trx) => markNotificationFailed(trx, row.id,
      `outcome unknown, not resent automatically to avoid a second copy: ${outcome.error}`.slice(0, 300), now))
    return
  }
  if (outcome.retry === 'no' || row.retry_count >= MAX_ATTEMPTS) {
    await withContext(deps.db, SYSTEM, (trx) => markNotificationFailed(trx, row.id, outcome.error, now))
    return
  }
  const nextAt = new Date(now.getTime() + Math.max(backoffMs(row.retry_count), outcome.retryAfterMs ?? 0))
  await withContext(deps.db, SYSTEM, (trx) => markNotificationRetry(trx, row.id, nextAt, outcome.error, now))
  await deps.scheduler?.enqueue({ kind: 'send-notifications', runAt: nextAt, dedupeKey: slotKey(nextAt.getTime()) })
}

/** One scheduled run per 10-second slot is enough, however many rows wait for it. */
const slotKey = (ms: number) => `send-notifications:${Math.ceil(ms / 10_000)}`
