/**
 * `npm start`: serves the app on Deno. Applies migrations and, on an empty database, loads the demo data.
 * A first start takes a while (the embedded database, migrations, demo data), so it says what it is doing
 * in plain lines on stdout, ending with the address it listens on.
 */
import { gzipSync } from 'node:zlib'
import { getConnInfo, serveStatic } from 'hono/deno'
import { googleOAuthConfigFromEnv } from '../../accounts/google-oauth.ts'
import { createApp, createServices, type AppDeps } from '../../app.ts'
import { readConfig, readServerConfig } from '../../config.ts'
import { clientAddress } from '../../http/client-address.ts'
import { batchedLogSink } from '../../http/request-log.ts'
import { sharedDatabase } from '../../db/database.ts'
import { migrate } from '../../db/migrate.ts'
import { seedDemoDataIfEmpty } from '../../demo/seed.ts'
import { upstashRateLimiterFromEnv } from '../../ratelimit/upstash-rate-limiter.ts'
import { upstashQueueStoreFromEnv } from '../../waitroom/upstash-queue-store.ts'
import { s3BlobStore, s3ConfigFromEnv } from '../../storage/s3-blob-store.ts'
import { loadSecretKeys } from './secret-keys.ts'
import { notificationSendersFromEnv, notificationWebhookSecretsFromEnv } from '../../notifications/sender-config.ts'
import { qstashConfigFromEnv } from '../../jobs/qstash.ts'
import { tick } from '../../jobs/runner.ts'
import { createDarajaSimulator } from '../../payments/simulator/daraja-simulator.ts'
import { openDatabase, readMigrations } from './database.ts'

const started = performance.now()
/** One plain line of start-up progress. */
const say = (line: string) => console.log(`tikiti: ${line}`)
const env = Deno.env.toObject()
const { config, settings, senders } = (() => {
  try {
    const config = readConfig(env)
    return { config, settings: readServerConfig(env, config), senders: notificationSendersFromEnv(env, config.mode) }
  } catch (error) {
    // a configuration mistake (PUBLIC_URL missing in production, TRUST_PROXY=yes…): say it plainly and stop
    console.error(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: (error as Error).message }))
    Deno.exit(1)
  }
})()
const secretKeys = await loadSecretKeys(settings, config.mode)
if (config.mode === 'production' && senders.enabled && !secretKeys) {
  // messages carry single-use links, sealed at rest with these keys
  console.error(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: 'SECRETS_KEYS must be set in production to send messages (or NOTIFICATIONS=off)' }))
  Deno.exit(1)
}
const { port, host: hostname } = settings

say('opening the database…')
const { db, description } = await openDatabase(config, settings)
say(`migrating… (${description})`)
const applied = await migrate(db, await readMigrations())
say(applied.length ? `applied ${applied.length} migration${applied.length === 1 ? '' : 's'}` : 'the schema is up to date')
const seeded = config.mode !== 'production' &&
  await seedDemoDataIfEmpty(db, new Date(), secretKeys, () => say('loading demo data… (first start on an empty database)'))
if (seeded) say('demo data loaded')

// Outside production and without DARAJA_BASE_URL, the Daraja simulator stands in for Safaricom on the
// next port, so a demo purchase is real end to end (its phone page approves the prompts).
const simulatorPort = settings.darajaSimulatorPort
const simulator = settings.darajaSimulator
  ? Deno.serve({ port: simulatorPort, hostname, onListen: () => {} }, createDarajaSimulator().app.fetch)
  : undefined
if (simulator) {
  config.darajaBaseUrl = `http://127.0.0.1:${simulatorPort}`
  config.simulatedPhoneUrl = `http://localhost:${simulatorPort}/phone`
}

const s3 = s3ConfigFromEnv(env)
const encoder = new TextEncoder()
const requestLines = batchedLogSink((text) => {
  const bytes = encoder.encode(text)
  for (let written = 0; written < bytes.length;) written += Deno.stdout.writeSync(bytes.subarray(written))
})
const deps: AppDeps = {
  config,
  log: requestLines.sink,
  database: sharedDatabase(db),
  staticFiles: serveStatic({ root: './static' }),
  compressResponses: true,
  gzip: (bytes) => gzipSync(bytes),
  rateLimiter: upstashRateLimiterFromEnv(env),
  queueStore: upstashQueueStoreFromEnv(env),
  google: googleOAuthConfigFromEnv(env),
  blobStore: s3 ? s3BlobStore(s3) : undefined,
  secretKeys,
  senders,
  webhookSecrets: notificationWebhookSecretsFromEnv(env),
  dispatchAfterRequest: true,
  qstash: qstashConfigFromEnv(env, config),
  // Behind reverse proxies the socket address is our proxy's: the client's is the X-Forwarded-For entry our
  // outermost proxy wrote, counted from the right (TRUST_PROXY says how many proxies), never one the client sent.
  clientIp: (c) => clientAddress(c.req.header('x-forwarded-for'), getConnInfo(c).remote.address, settings.proxyHops),
}
const services = createServices(deps)
const app = createApp(deps, services)

// What a response leaves running (its messages' dispatch) runs on after it, as on Workers; without a context
// of its own, every request would reach for the missing one and throw to find out
const background = new Set<Promise<unknown>>()
const executionContext = {
  waitUntil(promise: Promise<unknown>) {
    const work = promise.catch((error) => console.error(JSON.stringify({ level: 'error', msg: 'background work failed', error: String(error?.message ?? error) })))
      .finally(() => background.delete(work))
    background.add(work)
  },
  passThroughOnException() {},
  props: {},
}
const server = Deno.serve({ port, hostname, onListen: () => {} }, (request, info) => app.fetch(request, info, executionContext))
say(`listening on http://localhost:${port} (ready in ${Math.round(performance.now() - started)} ms)`)
if (config.simulatedPhoneUrl) say(`Daraja simulator: approve M-Pesa prompts at ${config.simulatedPhoneUrl}`)

// The local scheduler: sweep expired holds and run due jobs every 15 seconds (QStash or not, the sweep
// is local; queued jobs wait in the jobs table only when QStash is off).
const JOB_TICK_MS = 15_000
const ticker = setInterval(() => {
  tick(db, services).catch((error) => console.error(JSON.stringify({ level: 'error', msg: 'job tick failed', error: String(error?.message ?? error) })))
}, JOB_TICK_MS)

async function shutdown() {
  clearInterval(ticker)
  try {
    await server.shutdown()
    // what the last responses left running (their messages) finishes before the database closes
    await Promise.all(background)
    await simulator?.shutdown()
    await db.destroy()
  } finally {
    requestLines.flush()
    Deno.exit(0)
  }
}
globalThis.addEventListener('unload', () => requestLines.flush())
Deno.addSignalListener('SIGINT', shutdown)
Deno.addSignalListener('SIGTERM', shutdown)
