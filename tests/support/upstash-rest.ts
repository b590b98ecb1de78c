/**
 * Upstash's REST API in front of the real local Redis, so the Upstash adapter is tested against Redis
 * itself, Lua scripts included. @humanwhocodes/upstash-redis-server serves the API (root and /pipeline,
 * JSON results, no base64) on a free local port. Without a reachable Redis the tests fail and say how
 * to start one: nothing is skipped.
 *
 * One rewrite on the way in: @upstash/ratelimit (2.1 and later) starts its Lua scripts with
 * `#!lua flags=allow-key-locking`, a locking hint only Upstash's server knows; Redis refuses the whole
 * script over it. The bridge drops that line (Redis then runs the script as before 2.1) and maps the
 * client's EVALSHA hashes to the hashes of the scripts Redis actually holds.
 */
import { createApp } from '@humanwhocodes/upstash-redis-server'
import { serve, type ServerType } from '@hono/node-server'
import { createHash } from 'node:crypto'
import { connect, type AddressInfo } from 'node:net'

import { REDIS_URL } from './prerequisites.mjs'

export { REDIS_URL }

export interface UpstashRest {
  url: string
  token: string
  close(): Promise<void>
}

/** Throws a clear error unless Redis at `redisUrl` answers PING within two seconds. */
export async function assertRedisReachable(redisUrl: string = REDIS_URL): Promise<void> {
  const { hostname, port } = new URL(redisUrl)
  const answer = await new Promise<string>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) })
    const done = (text: string) => {
      socket.destroy()
      resolve(text)
    }
    socket.setTimeout(2_000, () => done('no answer within 2 s'))
    socket.on('error', (error) => done(error.message))
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (data) => done(data.toString().trim()))
  })
  if (answer !== '+PONG') {
    throw new Error(
      `The Upstash rate-limiter tests need Redis at ${redisUrl} (got: ${answer}). \`npm test\` installs ` +
        'redis-server when it may and starts it for the run; otherwise run `sudo apt-get install -y redis-server`, or set TEST_REDIS_URL.',
    )
  }
}

const UPSTASH_ONLY_SHEBANG = /^#!lua flags=allow-key-locking\r?\n/
const sha1 = (text: string) => createHash('sha1').update(text).digest('hex')

/** Makes each command Redis-compatible; `shas` maps hashes of Upstash scripts to hashes Redis knows. */
function forRedis(command: unknown[], shas: Map<string, string>): unknown[] {
  const [name, script, ...rest] = command
  const verb = String(name).toLowerCase()
  if ((verb === 'eval' || verb === 'eval_ro') && typeof script === 'string' && UPSTASH_ONLY_SHEBANG.test(script)) {
    const plain = script.replace(UPSTASH_ONLY_SHEBANG, '')
    shas.set(sha1(script), sha1(plain))
    return [name, plain, ...rest]
  }
  if ((verb === 'evalsha' || verb === 'evalsha_ro') && typeof script === 'string') {
    return [name, shas.get(script) ?? script, ...rest]
  }
  return command
}

/** Serves the Upstash REST API for `redisUrl` on 127.0.0.1 and a free port. */
export async function startUpstashRest(redisUrl: string = REDIS_URL): Promise<UpstashRest> {
  await assertRedisReachable(redisUrl)
  const token = crypto.randomUUID()
  const app = createApp({ token, redisUrl })
  const shas = new Map<string, string>()
  const fetch = async (request: Request): Promise<Response> => {
    if (request.method !== 'POST') return app.fetch(request)
    const body: unknown = await request.json().catch(() => null)
    if (!Array.isArray(body)) return app.fetch(new Request(request, { body: JSON.stringify(body) }))
    const commands = new URL(request.url).pathname === '/pipeline'
      ? body.map((command: unknown) => (Array.isArray(command) ? forRedis(command, shas) : command))
      : forRedis(body, shas)
    return app.fetch(new Request(request, { body: JSON.stringify(commands) }))
  }
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
