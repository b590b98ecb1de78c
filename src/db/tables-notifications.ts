/** Tables of messages: the outbox (notifications) and the tenants' own wording (templates). */
import type { ColumnType, Generated } from 'kysely'
import type { CreatedAt, Json, NotificationChannel, NotificationStatus, NotificationType, Timestamp, UpdatedAt } from './column-types.ts'

export interface NotificationTable {
  id: Generated<string>
  tenant_id: string | null
  user_id: string | null
  event_id: string | null
  ticket_id: string | null
  type: NotificationType
  channel: NotificationChannel
  status: ColumnType<NotificationStatus, NotificationStatus | undefined, NotificationStatus>
  email_id: string | null
  whatsapp_id: string | null
  content: Json
  retry_count: ColumnType<number, number | undefined, number>
  created_at: CreatedAt
  sent_at: Timestamp | null
  lang: ColumnType<'en' | 'sw', 'en' | 'sw' | undefined, 'en' | 'sw'>
  next_attempt_at: Timestamp | null
  locked_until: Timestamp | null
  last_error: string | null
  delivered_at: Timestamp | null
  dedupe_key: string | null
  updated_at: UpdatedAt
}

export interface NotificationTemplateTable {
  tenant_id: string
  type: string
  lang: 'en' | 'sw'
  subject: string
  body: string
  updated_by: string | null
  updated_at: UpdatedAt
}

