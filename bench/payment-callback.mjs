#!/usr/bin/env node
/**
 * M-Pesa callback → tickets active, over HTTP against the Deno server (`npm start`, development mode,
 * so the Daraja simulator runs beside it) on the local Postgres. PURCHASES purchases (default 200),
 * CONCURRENCY at a time (default 10): hold 1–2 tickets through the API, start the payment, approve the
 * prompt on the simulated phone page, and poll the payment until it is completed.
 *
 * Prints p50/p95/max of (a) the callback request as the server timed it (the callback is answered after
 * the tickets are committed active, so this is callback → tickets active inside the app) and (b) the
 * buyer's view, from approving on the phone until the API says completed (adds the simulator's
 * delivery and the polling interval, POLL_MS, default 25 ms). Not a test; it fails only if a paid purchase has not exactly its
 * tickets active.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a scratch
 * database is created and dropped.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const purchases = Number(process.env.PURCHASES ?? 200)
const concurrency = Number(process.env.CONCURRENCY ?? 10)
// how often each buyer asks; faster polling measures finer but loads the server the callbacks run on
const POLL_MS = Number(process.env.POLL_MS ?? 25)
const port = Number(process.env.BENCH_PORT ?? 8795)
const base = `http://127.0.0.1:${port}`
const simulator = `http://127.0.0.1:${port + 1}`
const name = `callback_bench_${Date.now()}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
const dbUrl = new URL(serverUrl)
dbUrl.pathname = `/${name}`

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const figures = (values) => `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`

async function json(path, init = {}) {
  const res = await fetch(`${base}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } })
  const body = await res.json()
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`)
  return body
}

async function purchase(i, eventId, typeId) {
  const quantity = 1 + (i % 2)
  const reservation = await json(`/api/v1/events/${eventId}/reservations`, {
    method: 'POST', body: JSON.stringify({ items: [{ ticketTypeId: typeId, quantity }] }),
  })
  const auth = { authorization: `Bearer ${reservation.token}` }
  const phone = `2547${String(20_000_000 + i).padStart(8, '0')}`
  const payment = await json(`/api/v1/reservations/${reservation.id}/payments`, { method: 'POST', headers: auth, body: JSON.stringify({ phone }) })
  const page = await (await fetch(`${simulator}/phone?phone=${phone}`)).text()
  const checkoutRequestId = /\/phone\/prompts\/([^"?/]+)/.exec(page)?.[1]
  if (!checkoutRequestId) throw new Error(`no prompt on the simulated phone for purchase ${i}`)
  const started = performance.now()
  await fetch(`${simulator}/phone/prompts/${checkoutRequestId}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams({ action: 'pay', pin: '1234', phone }),
  })
  for (;;) {
    const status = await json(`/api/v1/payments/${payment.id}`, { headers: auth })
    if (status.status === 'completed') break
    if (status.status !== 'pending') throw new Error(`purchase ${i} ended ${status.status}`)
    if (performance.now() - started > 30_000) throw new Error(`purchase ${i} not completed in 30 s`)
    await sleep(POLL_MS)
  }
  return { ms: performance.now() - started, reservationId: reservation.id, quantity }
}

let server
const callbackDurations = []
try {
  await admin.unsafe(`create database ${name}`)
  const migrate = spawnSync('npm', ['run', '--silent', 'migrate'], { env: { ...process.env, DATABASE_URL: dbUrl.toString() }, stdio: 'inherit' })
  if (migrate.status !== 0) throw new Error('migrations failed')
  server = spawn('npm', ['start'], {
    env: {
      ...process.env, DATABASE_URL: dbUrl.toString(), PORT: String(port), APP_ENV: 'development', HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`,
      SECRETS_KEYS: `bench1:${randomBytes(32).toString('base64url')}`, DARAJA_BASE_URL: '', DARAJA_SIMULATOR: '',
      // every simulated buyer comes from this machine's address: no per-client hold cap
      HOLDS_PER_CLIENT: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'], detached: true,
  })
  let buffered = ''
  server.stdout.on('data', (chunk) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop()
    for (const line of lines) {
      if (!line.includes('/payments/mpesa/callback/')) continue
      const entry = JSON.parse(line)
      if (entry.note === 'completed') callbackDurations.push(entry.durationMs)
    }
  })
  for (let i = 0; ; i++) {
    if (i > 200) throw new Error('the server did not start')
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break
    await sleep(100)
  }
  const sql = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} })
  const [type] = await sql`select tt.id, tt.event_id from ticket_types tt join events e on e.id = tt.event_id
    where e.slug = 'mombasa-beach-festival' and tt.name = 'Regular'`

  const results = []
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < purchases) results.push(await purchase(next++, type.event_id, type.id))
  }))
  await sleep(200) // the last log lines

  const wrong = await sql`select r.id from reservations r
    where r.id in ${sql(results.map((r) => r.reservationId))}
    and (select count(*) from tickets t where t.reservation_id = r.id and t.status = 'active')
      <> (select coalesce(sum((item->>'quantity')::int), 0) from jsonb_array_elements(r.items) item)`
  await sql.end()
  console.log(`purchases: ${results.length} at concurrency ${concurrency}, tickets issued: ${results.reduce((n, r) => n + r.quantity, 0)}`)
  console.log(`callback → tickets active (server, ${callbackDurations.length} callbacks): ${figures(callbackDurations)}`)
  console.log(`approve on phone → API says completed (buyer's view): ${figures(results.map((r) => r.ms))}`)
  console.log(`purchases without exactly their tickets active: ${wrong.length}`)
  if (wrong.length > 0 || callbackDurations.length !== results.length) process.exitCode = 1
} finally {
  // npm start's process group: npm and the Deno server under it
  if (server) try { process.kill(-server.pid, 'SIGTERM') } catch {}
  await sleep(500)
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
  await admin.end()
}
