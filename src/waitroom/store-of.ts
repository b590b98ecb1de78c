/** The queue store a request uses: Redis when configured, else the request's own Postgres. */
import type { Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { postgresQueueStore } from './postgres-queue-store.ts'
import type { QueueStore } from './queue-store.ts'

export function queueStoreOf(c: Context<AppEnv>): QueueStore {
  return c.var.services.queueStore ?? postgresQueueStore(c.var.db)
}
