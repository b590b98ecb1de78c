/**
 * The message ports (email and WhatsApp). Every message is first recorded in `notifications`, then
 * handed to the channel's sender: Resend or WAHA when configured, otherwise the dev outbox (the
 * recorded row is what /dev/outbox shows).
 */
import type { Database } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { NotificationType } from '../db/schema.ts'

export interface OutgoingMessage {
  /** An email address, or a phone number (2547…) for WhatsApp. */
  to: string
  subject?: string
  text: string
}

export interface MessageSender {
  /** Delivers one message; `idempotencyKey` makes a retried send deliver once. Returns the provider's id. */
  send(message: OutgoingMessage, idempotencyKey: string): Promise<{ id: string }>
}

export interface MessageSenders {
  email: MessageSender
  whatsapp: MessageSender
}

/** Development and tests: nothing leaves the machine; the message stays readable at /dev/outbox. */
export const outboxSender: MessageSender = {
  send: async (_message, idempotencyKey) => ({ id: `outbox_${idempotencyKey}` }),
}

export const OUTBOX_SENDERS: MessageSenders = { email: outboxSender, whatsapp: outboxSender }

export interface PlatformMessage extends OutgoingMessage {
  channel: 'email' | 'whatsapp'
  type: NotificationType
  userId: string | null
  tenantId?: string | null
}

/** Records and sends a platform message. A delivery failure is recorded on the row, not thrown. */
export async function sendPlatformMessage(db: Database, senders: MessageSenders, message: PlatformMessage) {
  const row = await withContext(db, SYSTEM, (trx) =>
    trx.insertInto('notifications').values({
      tenant_id: message.tenantId ?? null,
      user_id: message.userId,
      type: message.type,
      channel: message.channel,
      content: { to: message.to, subject: message.subject ?? null, body: message.text },
    }).returning('id').executeTakeFirstOrThrow())
  let update: { status: 'sent' | 'failed'; email_id?: string; whatsapp_id?: string; sent_at?: Date }
  try {
    const sent = await senders[message.channel].send({ to: message.to, subject: message.subject, text: message.text }, row.id)
    update = { status: 'sent', sent_at: new Date(), [message.channel === 'email' ? 'email_id' : 'whatsapp_id']: sent.id }
  } catch {
    update = { status: 'failed' }
  }
  await withContext(db, SYSTEM, (trx) => trx.updateTable('notifications').set(update).where('id', '=', row.id).execute())
}
