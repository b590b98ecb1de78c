/** The dev outbox's query: the latest messages that would have gone out. */
import type { Queryable } from '../db/database.ts'

export function listRecentMessages(db: Queryable, limit = 100) {
  return db.selectFrom('notifications').select(['id', 'tenant_id', 'channel', 'type', 'lang', 'status', 'created_at', 'content'])
    .orderBy('created_at', 'desc').limit(limit).execute()
}
