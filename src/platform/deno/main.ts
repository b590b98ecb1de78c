/**
 * `npm start`: serves the app on Deno. Applies migrations and, on an empty database, loads the demo data.
 */
import { getConnInfo, serveStatic } from 'hono/deno'
import { googleOAuthConfigFromEnv } from '../../accounts/google-oauth.ts'
import { createApp, createServices, type AppDeps } from '../../app.ts'
import { readConfig, readServerConfig } from '../../config.ts'
import { sharedDatabase } from '../../db/database.ts'
import { migrate } from '../../db/migrate.ts'
import { seedDemoDataIfEmpty } from '../../demo/seed.ts'
import { upstashRateLimiterFromEnv } from '../../ratelimit/upstash-rate-limiter.ts'
import { s3BlobStore, s3ConfigFromEnv } from '../../storage/s3-blob-store.ts'
import { loadSecretKeys } from './secret-keys.ts'
import { qstashConfigFromEnv } from '../../jobs/qstash.ts'
import { tick } from '../../jobs/runner.ts'
import { createDarajaSimulator } from '../../payments/simulator/daraja-simulator.ts'
import { openDatabase, readMigrations } from './database.ts'

const started = performance.now()
const env = Deno.env.toObject()
const config = readConfig(env)
const settings = readServerConfig(env, config)
const secretKeys = await loadSecretKeys(settings, config.mode)
const { port, host: hostname } = settings

const { db, description } = await openDatabase(config, settings)
const applied = await migrate(db, await readMigrations())
const seeded = config.mode !== 'production' && await seedDemoDataIfEmpty(db, new Date(), secretKeys)

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
const deps: AppDeps = {
  config,
  database: sharedDatabase(db),
  staticFiles: serveStatic({ root: './static' }),
  compressResponses: true,
  rateLimiter: upstashRateLimiterFromEnv(env),
  google: googleOAuthConfigFromEnv(env),
  blobStore: s3 ? s3BlobStore(s3) : undefined,
  secretKeys,
  qstash: qstashConfigFromEnv(env),
  // Behind a reverse proxy the socket address is the proxy's; trust its X-Forwarded-For only when told to.
  clientIp: (c) =>
    (settings.trustProxy ? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() : undefined) ??
      getConnInfo(c).remote.address ?? 'unknown',
}
const services = createServices(deps)
const app = createApp(deps, services)

const server = Deno.serve({ port, hostname, onListen: () => {} }, (request, info) => app.fetch(request, info))
console.log(JSON.stringify({
  time: new Date().toISOString(),
  level: 'info',
  msg: 'listening',
  url: `http://localhost:${port}`,
  database: description,
  migrationsApplied: applied.length,
  demoDataLoaded: seeded,
  darajaSimulator: config.simulatedPhoneUrl ?? null,
  startupMs: Math.round(performance.now() - started),
}))

// The local scheduler: sweep expired holds and run due jobs every 15 seconds (QStash or not, the sweep
// is local; queued jobs wait in the jobs table only when QStash is off).
const JOB_TICK_MS = 15_000
const ticker = setInterval(() => {
  tick(db, services).catch((error) => console.error(JSON.stringify({ level: 'error', msg: 'job tick failed', error: String(error?.message ?? error) })))
}, JOB_TICK_MS)

async function shutdown() {
  clearInterval(ticker)
  await server.shutdown()
  await simulator?.shutdown()
  await db.destroy()
  Deno.exit(0)
}
Deno.addSignalListener('SIGINT', shutdown)
Deno.addSignalListener('SIGTERM', shutdown)
