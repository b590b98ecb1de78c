#!/usr/bin/env node
/**
 * The flash sale, over HTTP against the Deno server on the local Postgres: an event with 10,000
 * tickets in three types; BUYERS buyers (default 20,000) over CONNECTIONS concurrent connections
 * (default 500), each trying to hold 1–4 tickets of one type through POST /api/v1/events/{id}/reservations.
 *
 * Prints successful holds per second (over the selling phase, until the last success), latency
 * percentiles, tickets held versus capacity (oversold must be 0), and, measured in the same run at the
 * same concurrency, the throughput of the bare SQL a hold executes (the design's limit on this machine)
 * with the app/SQL ratio. Not a test: it prints figures; it fails only if anything was oversold.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a scratch
 * database is created and dropped. DATABASE_POOL_MAX (default 20) is the server's pool and the SQL phase's.
 */
import { spawn, spawnSync } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'
import { Agent, setGlobalDispatcher } from 'undici'

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const buyers = Number(process.env.BUYERS ?? 20_000)
const connections = Number(process.env.CONNECTIONS ?? 500)
const pool = Number(process.env.DATABASE_POOL_MAX ?? 20)
const port = Number(process.env.BENCH_PORT ?? 8791)
const capacities = [6_000, 3_000, 1_000]
const capacity = capacities.reduce((a, b) => a + b)
const name = `flash_bench_${Date.now()}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
const dbUrl = new URL(serverUrl)
dbUrl.pathname = `/${name}`
setGlobalDispatcher(new Agent({ connections, pipelining: 0, keepAliveTimeout: 30_000 }))

async function seed(sql) {
  const [tenant] = await sql`insert into tenants (name, slug, status) values ('Bench', ${name.replace(/_/g, '-')}, 'active') returning id`
  const [user] = await sql`insert into users (email, name, role) values ('bench@example.test', 'Bench', 'event_manager') returning id`
  const [event] = await sql`insert into events (tenant_id, manager_id, slug, title, starts_at, venue_name, venue_city, status, total_capacity)
    values (${tenant.id}, ${user.id}, 'flash', 'Flash Sale', now() + interval '30 days', 'Stadium', 'Nairobi', 'published', ${capacity})
    returning id`
  const types = []
  for (const [i, cap] of capacities.entries()) {
    const [type] = await sql`insert into ticket_types (tenant_id, event_id, name, price_minor, capacity, max_per_order, sort_order)
      values (${tenant.id}, ${event.id}, ${`Tier ${i + 1}`}, ${(i + 1) * 100_000}, ${cap}, 10, ${i}) returning id`
    await sql`insert into tickets (tenant_id, event_id, ticket_type_id, price_minor, status, claimable_after)
      select ${tenant.id}, ${event.id}, ${type.id}, ${(i + 1) * 100_000}, 'available', '-infinity' from generate_series(1, ${cap})`
    types.push(type.id)
  }
  await sql`vacuum analyze tickets`
  return { tenantId: tenant.id, eventId: event.id, types }
}

async function resetSale(sql, eventId) {
  await sql`update tickets set status = 'available', claimable_after = '-infinity', reserved_until = null, reservation_id = null
    where event_id = ${eventId}`
  await sql`delete from reservations where event_id = ${eventId}`
  await sql`delete from idempotency_keys`
  await sql`vacuum analyze tickets`
}

async function held(sql, eventId) {
  const [row] = await sql`select count(*)::int as n from tickets where event_id = ${eventId} and claimable_after > now()`
  return row.n
}

/** Deterministic buyer mix: types weighted by capacity, quantities 1–4. */
const buyerAt = (i, types) => ({ type: types[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2], quantity: 1 + ((i * 7) % 4) })

async function drive(label, workers, attempt) {
  let next = 0
  let successes = 0
  let tickets = 0
  let lastSuccess = 0
  const latencies = []
  const started = performance.now()
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < buyers) {
      const i = next++
      const t0 = performance.now()
      const quantity = await attempt(i)
      latencies.push(performance.now() - t0)
      if (quantity > 0) {
        successes++
        tickets += quantity
        lastSuccess = performance.now()
      }
    }
  }))
  const selling = (lastSuccess - started) / 1000
  latencies.sort((a, b) => a - b)
  const p = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1)
  const rate = successes / selling
  console.log(`${label}: ${Math.round(rate)} successful holds/s (${successes} holds, ${tickets} tickets, sold out in ` +
    `${selling.toFixed(2)} s), ${Math.round(buyers / ((performance.now() - started) / 1000))} requests/s overall, ` +
    `p50 ${p(0.5)} ms, p95 ${p(0.95)} ms, p99 ${p(0.99)} ms`)
  return { rate, tickets }
}

/** The SQL one hold runs, as src/tickets/reservations.ts issues it: one call to hold_tickets(). */
async function bareSqlHold(sql, sale, type, quantity, i) {
  try {
    await sql`select hold_tickets(${sale.eventId}, ${[{ ticketTypeId: type, quantity }]}::jsonb, null, ${`hash-${i}`},
      ${`sql-buyer-key-hash-${i}`}, ${`request-${i}`}, now(), null, 0)`
    return quantity
  } catch (error) {
    if (error.code === 'TK409') return 0
    throw error
  }
}

let server
let oversold = 0
try {
  await admin.unsafe(`create database ${name}`)
  const migrate = spawnSync('npm', ['run', '--silent', 'migrate'], { env: { ...process.env, DATABASE_URL: dbUrl.toString() }, stdio: 'inherit' })
  if (migrate.status !== 0) throw new Error('migrations failed')
  const sql = postgres(dbUrl.toString(), { max: pool, onnotice: () => {} })
  const sale = await seed(sql)

  // 1. the bare SQL, at the same concurrency (500 callers sharing the same pool size as the server)
  const bare = await drive(`bare SQL   (${connections} callers, pool ${pool})`, connections,
    (i) => { const b = buyerAt(i, sale.types); return bareSqlHold(sql, sale, b.type, b.quantity, i) })
  const bareHeld = await held(sql, sale.eventId)
  oversold = Math.max(oversold, bareHeld - capacity)
  await resetSale(sql, sale.eventId)

  // 2. the app, over HTTP
  server = spawn('npm', ['start'], {
    env: { ...process.env, DATABASE_URL: dbUrl.toString(), PORT: String(port), APP_ENV: 'production', PUBLIC_URL: `http://127.0.0.1:${port}`, DATABASE_POOL_MAX: String(pool),
      // every simulated buyer comes from this machine's address: no per-client hold cap
      HOLDS_PER_CLIENT: '0' },
    stdio: ['ignore', 'ignore', 'inherit'], detached: true,
  })
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break } catch {}
    if (i > 240) throw new Error('the server did not start')
    await sleep(250)
  }
  const url = `http://127.0.0.1:${port}/api/v1/events/${sale.eventId}/reservations`
  // Idempotency-Keys must be random secrets of 128 bits or more (src/tickets/reservations.ts)
  const runId = crypto.randomUUID().replace(/-/g, '')
  const app = await drive(`app (HTTP) (${connections} connections, pool ${pool})`, connections, async (i) => {
    const b = buyerAt(i, sale.types)
    const res = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `buyer-${i}-${runId}` },
      body: JSON.stringify({ items: [{ ticketTypeId: b.type, quantity: b.quantity }] }),
    })
    await res.arrayBuffer()
    if (res.status === 201) return b.quantity
    if (res.status !== 409) throw new Error(`unexpected ${res.status}`)
    return 0
  })
  const appHeld = await held(sql, sale.eventId)
  oversold = Math.max(oversold, appHeld - capacity)
  console.log(`held at the end: bare SQL ${bareHeld}/${capacity}, app ${appHeld}/${capacity} (app counted ${app.tickets}); oversold ${oversold}`)
  console.log(`app/SQL ratio: ${(app.rate / bare.rate).toFixed(2)}`)
  await sql.end()
} finally {
  if (server) {
    try { process.kill(-server.pid, 'SIGTERM') } catch {}
    await sleep(1000)
  }
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
  await admin.end()
}
process.exit(oversold > 0 ? 1 : 0)
