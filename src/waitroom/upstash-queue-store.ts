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

/**
 * One look, in one step: joins once (the drawn score ARGV[2] before the opening, else 1 + the next arrival
 * number, unless ARGV[5], flowing, is '0': nothing is left, so a browser without a place gets none); after the opening,
 * moves the gate by the rate for the time since it last moved (while flowing, never past the queue's length)
 * and answers the browser's place (0: none), the gate in thousandths, and once the gate has passed the place
 * the end of its admission (ARGV[6] from the first such look; else 0).
 * Every look renews the event's keys for QUEUE_KEY_SECONDS: a queue nobody looks at any more goes by itself.
 * Both go back as integers: Redis would cut a fraction, and Upstash sends text replies base64-encoded.
 */
const VISIT = `
local queue, arrivals, gate = KEYS[1], KEYS[2], KEYS[3]
local browser, draw = ARGV[1], ARGV[2]
local placed = redis.call('ZSCORE', queue, browser)
if not placed and (draw ~= '' or ARGV[5] == '1') then
  placed = true
  local score = draw
  if score == '' then score = 1 + redis.call('INCR', arrivals) end
  redis.call('ZADD', queue, score, browser)
end
local answer = {0, 0}
if draw == '' then
  local g = redis.call('HMGET', gate, 'admitted', 'at')
  local now = tonumber(ARGV[3])
  local admitted = tonumber(g[1]) or 0
  local at = tonumber(g[2]) or now
  if ARGV[5] == '1' then
    local size = redis.call('ZCARD', queue)
    local grown = admitted + math.max(0, now - at) * tonumber(ARGV[4]) / 60000
    admitted = math.max(admitted, math.min(grown, size))
  end
  if now > at then at = now end
  redis.call('HSET', gate, 'admitted', tostring(admitted), 'at', tostring(at))
  local place = 0
  if placed then place = redis.call('ZRANK', queue, browser) + 1 end
  local admitted_until = 0
  if placed and place <= math.floor(admitted) then
    redis.call('HSETNX', KEYS[4], browser, ARGV[6])
    admitted_until = tonumber(redis.call('HGET', KEYS[4], browser))
  end
  answer = {place, math.floor(admitted * 1000), admitted_until}
end
for _, key in ipairs(KEYS) do redis.call('EXPIRE', key, ARGV[7]) end
return answer
`

/** How long an event's queue outlives its last look: a week, far past any sale. */
export const QUEUE_KEY_SECONDS = 7 * 24 * 3600

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
    async visit(eventId, browserId, input) {
      const { queue, arrivals, gate, admissions } = keys(eventId)
      const draw = input.preQueue ? String(drawScore()) : ''
      const [place, thousandths, until] = await guarded(() => redis.eval<string[], [number, number, number]>(VISIT, [queue, arrivals, gate, admissions],
        [browserId, draw, String(input.nowMs), String(input.perMinute), input.flowing ? '1' : '0', String(input.nowMs + input.admissionMs), String(QUEUE_KEY_SECONDS)]))
      return { position: place > 0 ? place : undefined, admitted: thousandths / 1000, admittedUntilMs: until > 0 ? until : undefined }
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
