/** The dev outbox's query: the latest messages that would have gone out. */
import type { Queryable } from '../db/database.ts'

/** The newest messages of the given channels (those the outbox stands in for). */
export function listRecentMessages(db: Queryable, channels: readonly ('email' | 'whatsapp')[], limit = 100) {
  if (channels.length === 0) return Promise.resolve([])
  let query = db.selectFrom('notifications').select(['id', 'tenant_id', 'channel', 'type', 'lang', 'status', 'created_at', 'content'])
  // with both channels local, older rows meant for either are shown too
  if (channels.length < 2) query = query.where('channel', 'in', channels)
  return query.orderBy('created_at', 'desc').limit(limit).execute()
}
