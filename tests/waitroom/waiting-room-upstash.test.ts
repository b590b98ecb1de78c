/**
 * The same waiting room with its queue in Redis through `@upstash/redis`, against the local Redis behind
 * Upstash's REST API (tests/support/upstash-rest.ts). Each run writes under its own key prefix.
 */
import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createUpstashQueueStore, QUEUE_KEY_SECONDS, upstashQueueStoreFromEnv } from '../../src/waitroom/upstash-queue-store.ts'
import { openTestDatabase } from '../support/database.ts'
import { startUpstashRest, type UpstashRest } from '../support/upstash-rest.ts'
import { queueContract, queueStoreContract } from './queue-contract.ts'

const prefix = `wr-test-${Date.now()}-${crypto.randomUUID().slice(0, 8)}`
let db: Database
let rest: UpstashRest
beforeAll(async () => {
  db = await openTestDatabase()
  rest = await startUpstashRest()
})
afterAll(async () => {
  const redis = new Redis({ url: rest.url, token: rest.token, enableTelemetry: false })
  const keys = await redis.keys(`${prefix}:*`)
  if (keys.length) await redis.del(...keys)
  await rest.close()
  await db.destroy()
})

// a new client per "server", as a restarted process would make
const freshStore = async () => createUpstashQueueStore(new Redis({ url: rest.url, token: rest.token, enableTelemetry: false }), { prefix })

queueContract('Upstash Redis', async () => ({ db, store: freshStore }))
queueStoreContract('Upstash Redis', async () => ({ db, store: await freshStore() }))

describe('upstash queue store', () => {
  it('keeps a queue in a sorted set under the event hash tag, and the gate in a hash', async () => {
    const store = await freshStore()
    const eventId = crypto.randomUUID()
    const look = { preQueue: false, nowMs: Date.now(), perMinute: 60, flowing: true, admissionMs: 60_000 }
    await store.visit(eventId, 'browser-aaaaaaaaaaaaaaaa', look)
    await store.visit(eventId, 'browser-bbbbbbbbbbbbbbbb', look)
    // a second later the first is admitted: its admission is kept with the rest
    expect((await store.visit(eventId, 'browser-aaaaaaaaaaaaaaaa', { ...look, nowMs: look.nowMs + 1000 })).admittedUntilMs).toBe(look.nowMs + 61_000)
    const redis = new Redis({ url: rest.url, token: rest.token, enableTelemetry: false })
    expect(await redis.zcard(`${prefix}:{${eventId}}:queue`)).toBe(2)
    expect(await redis.hget(`${prefix}:{${eventId}}:gate`, 'at')).toBe(look.nowMs + 1000)
    // a queue nobody looks at any more goes by itself, a week after the last look
    for (const key of ['queue', 'arrivals', 'gate', 'admitted']) {
      const ttl = await redis.ttl(`${prefix}:{${eventId}}:${key}`)
      expect(ttl, key).toBeGreaterThan(QUEUE_KEY_SECONDS - 60)
      expect(ttl, key).toBeLessThanOrEqual(QUEUE_KEY_SECONDS)
    }
  })

  it('is built from the Upstash variables, and not without them', () => {
    expect(upstashQueueStoreFromEnv({})).toBeUndefined()
    expect(upstashQueueStoreFromEnv({ UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token })).toBeDefined()
  })
})
