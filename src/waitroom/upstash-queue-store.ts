/**
 * The queue store in Upstash Redis: per event a sorted set of browsers by score (their places), a hash of
 * admissions and a hash for the gate, all under one hash tag so a script may touch them together. Upstash
 * speaks HTTP, so this runs wherever fetch does (Workers, Deno, Node).
 */
import type { Redis } from '@upstash/redis'
// The fetch-only build: it reads no process.env, so the same import serves Workers, Deno and Node.
import { Redis as FetchRedis } from '@upstash/redis/cloudflare'
import { envText, type EnvVars } from '../config.ts'
import { drawScore, type QueueStore } from './queue-store.ts'

/** Moves the gate as nextAdmitted (queue-store.ts) does, in one step. Numbers go back as text: Redis would cut a fraction. */
const ADVANCE = `
local g = redis.call('HMGET', KEYS[1], 'admitted', 'at')
local now = tonumber(ARGV[1])
local admitted = tonumber(g[1]) or 0
local at = tonumber(g[2]) or now
if ARGV[3] == '1' then
  local size = redis.call('ZCARD', KEYS[2])
  local grown = admitted + math.max(0, now - at) * tonumber(ARGV[2]) / 60000
  admitted = math.max(admitted, math.min(grown, size))
end
if now > at then at = now end
redis.call('HSET', KEYS[1], 'admitted', tostring(admitted), 'at', tostring(at))
return tostring(admitted)
`

/** Joins once: a drawn score before the opening (ARGV[2]), else 1 + the next arrival number. */
const JOIN = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
local score = ARGV[2]
if score == '' then score = 1 + redis.call('INCR', KEYS[2]) end
redis.call('ZADD', KEYS[1], score, ARGV[1])
return 1
`

export interface UpstashQueueStoreOptions {
  /** Start of every Redis key this store writes; default `wr`. */
  prefix?: string
}

/** A queue store in Redis, behind Upstash's REST API. */
export function createUpstashQueueStore(redis: Redis, options: UpstashQueueStoreOptions = {}): QueueStore {
  const prefix = options.prefix ?? 'wr'
  const keys = (eventId: string) => {
    const base = `${prefix}:{${eventId}}`
    return { queue: `${base}:queue`, admissions: `${base}:admitted`, gate: `${base}:gate`, arrivals: `${base}:arrivals` }
  }
  return {
    async join(eventId, browserId, preQueue) {
      const { queue, arrivals } = keys(eventId)
      await guarded(() => redis.eval(JOIN, [queue, arrivals], [browserId, preQueue ? String(drawScore()) : '']))
    },

    async position(eventId, browserId) {
      const rank = await guarded(() => redis.zrank(keys(eventId).queue, browserId))
      return rank === null || rank === undefined ? undefined : Number(rank) + 1
    },

    async advance(eventId, input) {
      const { gate, queue } = keys(eventId)
      const answer = await guarded(() => redis.eval(ADVANCE, [gate, queue], [String(input.nowMs), String(input.perMinute), input.flowing ? '1' : '0']))
      return { admitted: Number(answer) }
    },

    async admit(eventId, browserId, untilMs) {
      const { admissions } = keys(eventId)
      await guarded(() => redis.hsetnx(admissions, browserId, String(untilMs)))
      const stored = await guarded(() => redis.hget<string | number>(admissions, browserId))
      return stored === null || stored === undefined ? untilMs : Number(stored)
    },

    async leave(eventId, browserId) {
      const { queue, admissions } = keys(eventId)
      const pipeline = redis.pipeline()
      pipeline.zrem(queue, browserId)
      pipeline.hdel(admissions, browserId)
      await guarded(() => pipeline.exec())
    },
  }
}

/** A store from UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN, or undefined (then Postgres keeps the queue). */
export function upstashQueueStoreFromEnv(vars: EnvVars, options?: UpstashQueueStoreOptions): QueueStore | undefined {
  const url = envText(vars, 'UPSTASH_REDIS_REST_URL')
  const token = envText(vars, 'UPSTASH_REDIS_REST_TOKEN')
  if (!url || !token) return undefined
  return createUpstashQueueStore(new FetchRedis({ url, token, enableTelemetry: false }), options)
}

// Upstash errors quote the whole command; keep only Redis's own words, so no log gets a browser id.
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    const detail = error instanceof Error ? error.message.split(', command was:')[0] : 'unknown error'
    throw new Error(`queue store failed: ${detail}`)
  }
}
