/**
 * The outbox: the one way any feature sends a message. `enqueueNotification(trx, …)` writes the
 * notifications row(s) inside the caller's transaction, so a change that rolls back leaves no message
 * and a committed one always has its message. The dispatcher (dispatcher.ts) delivers them later.
 *
 * Single-use links and codes go in `secrets`: sealed with SECRETS_KEYS (AES-GCM, bound to the row id)
 * and opened only at send time, so the table never holds a usable link in the clear.
 */
import type { Queryable } from '../db/database.ts'
import type { NotificationType } from '../db/schema.ts'
import type { Lang } from '../i18n/index.ts'
import { open, seal, type KeyRing } from '../lib/secret-box.ts'

export type DeliveryChannel = 'email' | 'whatsapp' | 'both'

export interface NotificationRequest {
  type: NotificationType
  /** `both` writes one row per channel that has an address. */
  channel: DeliveryChannel
  email?: string | null
  /** 2547… */
  phone?: string | null
  tenantId: string | null
  userId: string | null
  eventId?: string | null
  ticketId?: string | null
  lang: Lang
  /** Template values (names, titles, amounts, dates). Never a secret. */
  data?: Record<string, string | number>
  /** Single-use links and codes, by placeholder name: sealed at rest. */
  secrets?: Record<string, string>
  /** A producer's own wording, used when the tenant has no template for the type. */
  subject?: string
  body?: string
  /** What the dispatcher looks up at send time (the reservation's tickets for the PDF). */
  reservationId?: string | null
  transactionId?: string | null
  /** One message per key (per channel): a second request with the same key writes nothing. */
  dedupeKey?: string
  /** Not before this time (reminders). */
  notBefore?: Date
  now: Date
  /** SECRETS_KEYS; without them (development, tests) secrets are stored as they are. */
  ring?: KeyRing
}

/** What a notifications row's content holds. */
export interface NotificationContent {
  to: string
  data?: Record<string, string | number>
  /** Secrets sealed with SECRETS_KEYS (a JSON object inside). */
  sealed?: string
  /** Secrets in the clear: only when no key ring is configured (development and tests). */
  secrets?: Record<string, string>
  subject?: string | null
  body?: string
  reservationId?: string | null
  transactionId?: string | null
}

let written = 0
/** Grows whenever a message is written: a request that changed it kicks the dispatcher once it is done. */
export const outboxWrites = () => written

const sealContext = (id: string) => `notification:${id}`

/** Writes the message rows; returns their ids (none when the recipient has no address for the channel). */
export function enqueueNotification(trx: Queryable, request: NotificationRequest): Promise<string[]> {
  return enqueueNotifications(trx, [request])
}

/** Many messages in one statement (reminders to every holder); duplicates by dedupe key are skipped. */
export async function enqueueNotifications(trx: Queryable, requests: NotificationRequest[]): Promise<string[]> {
  const rows = (await Promise.all(requests.map(rowsOf))).flat()
  if (rows.length === 0) return []
  const inserted = await trx.insertInto('notifications').values(rows)
    .onConflict((oc) => oc.column('dedupe_key').where('dedupe_key', 'is not', null).doNothing())
    .returning('id').execute()
  if (inserted.length) written++
  return inserted.map((row) => row.id)
}

async function rowsOf(request: NotificationRequest) {
  const targets: { channel: 'email' | 'whatsapp'; to: string }[] = []
  if (request.channel !== 'whatsapp' && request.email) targets.push({ channel: 'email', to: request.email })
  if (request.channel !== 'email' && request.phone) targets.push({ channel: 'whatsapp', to: request.phone })
  const hasSecrets = request.secrets !== undefined && Object.keys(request.secrets).length > 0
  return Promise.all(targets.map(async (target) => {
    const id = crypto.randomUUID()
    const content: NotificationContent = {
      to: target.to,
      data: request.data ?? {},
      ...(hasSecrets && request.ring ? { sealed: await seal(request.ring, JSON.stringify(request.secrets), sealContext(id)) } : {}),
      ...(hasSecrets && !request.ring ? { secrets: request.secrets } : {}),
      ...(request.subject !== undefined ? { subject: request.subject } : {}),
      ...(request.body !== undefined ? { body: request.body } : {}),
      ...(request.reservationId ? { reservationId: request.reservationId } : {}),
      ...(request.transactionId ? { transactionId: request.transactionId } : {}),
    }
    return {
      id, tenant_id: request.tenantId, user_id: request.userId, event_id: request.eventId ?? null, ticket_id: request.ticketId ?? null,
      type: request.type, channel: target.channel, lang: request.lang, content: content as never,
      dedupe_key: request.dedupeKey ? `${request.dedupeKey}:${target.channel}` : null,
      next_attempt_at: request.notBefore ?? null, created_at: request.now, updated_at: request.now,
    }
  }))
}

/** The secrets of a row, opened (sealed ones need the ring they were sealed with). */
export async function openSecrets(id: string, content: NotificationContent, ring: KeyRing | undefined): Promise<Record<string, string>> {
  if (content.sealed) {
    if (!ring) throw new Error('this message holds sealed links and SECRETS_KEYS is not set')
    return JSON.parse(await open(ring, content.sealed, sealContext(id))) as Record<string, string>
  }
  return content.secrets ?? {}
}
