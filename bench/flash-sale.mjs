#!/usr/bin/env node
/**
 * The flash sale on the local Postgres, in one run (`npm run bench:flash-sale [-- --tickets 50000]`):
 *
 * 1. the machine's ceiling: a trivial write transaction (a one-row conditional UPDATE, pgbench-style, on
 *    100,000 rows) at the server's pool size, CONNECTIONS callers sharing it;
 * 2. the bare SQL of one hold as the app issues it with group commit off (hold_tickets(), one transaction),
 *    and, for the choice, the same holds in groups (hold_tickets_batch());
 * 3. the app over HTTP: an event of TICKETS tickets (default 10,000) in three types, BUYERS buyers
 *    (default 20,000, or twice the tickets) over CONNECTIONS connections (default 500), each asking for
 *    1–4 tickets of one type through POST /api/v1/events/{id}/reservations; without, then with, the
 *    waiting room (the event's high-demand mode, when this build has it);
 * 4. the claim index after a sale: what a claim costs at the start, at 90 % sold, and after a vacuum.
 *
 * Prints, each on its own line: `ceiling N tx/s`, `bare SQL N holds/s`, `app N holds/s`, `hold/ceiling
 * ratio R`, p50/p95/p99 of every request and of the hold requests alone, `sold-out answers N/s`,
 * `oversold N` and the server's peak memory. Not a test: it prints figures; it fails only if anything
 * was oversold. HOLD_GROUP_COMMIT=off in the environment runs the app with one transaction per hold.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a scratch
 * database is created and dropped. DATABASE_POOL_MAX (default 20) is the server's pool and the SQL phases'.
 *
 * While working on the waiting room: `--queue-only` runs the ceiling and the waiting-room run alone, admitting
 * ADMISSIONS_PER_MINUTE (default 6,000, the app's default); BENCH_CPU_PROFILE=DIR has the server write a V8
 * CPU profile and a readable summary of it there when it stops; BENCH_SECONDS=1 prints the waiting-room run second by second.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import postgres from 'postgres'
import { Agent, request, setGlobalDispatcher } from 'undici'
import { queuedBuyer, resetQueue } from './flash-sale-queue.mjs'

const { values: args } = parseArgs({
  options: { tickets: { type: 'string' }, buyers: { type: 'string' }, 'queue-only': { type: 'boolean' } }, strict: false,
})
// while working on the waiting room: the ceiling and the waiting-room run only, admitting ADMISSIONS_PER_MINUTE
const queueOnly = args['queue-only'] === true
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const capacity = Number(args.tickets ?? process.env.TICKETS ?? 10_000)
const buyers = Number(args.buyers ?? process.env.BUYERS ?? Math.max(20_000, 2 * capacity))
const connections = Number(process.env.CONNECTIONS ?? 500)
const pool = Number(process.env.DATABASE_POOL_MAX ?? 20)
const port = Number(process.env.BENCH_PORT ?? 8791)
const capacities = [Math.round(capacity * 0.6), Math.round(capacity * 0.3)]
capacities.push(capacity - capacities[0] - capacities[1])
const name = `flash_bench_${Date.now()}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
const dbUrl = new URL(serverUrl)
dbUrl.pathname = `/${name}`
// keep-alive, as a browser between its refreshes and a CDN or load balancer in front of the app both keep theirs
setGlobalDispatcher(new Agent({ connections, keepAliveTimeout: 30_000 }))
const DENO = existsSync('node_modules/deno/deno') ? 'node_modules/deno/deno' : 'node_modules/.bin/deno'

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
  // another event with a waiting room, for warming a fresh server up before the sale (warmUp)
  const [warm] = await sql`insert into events (tenant_id, manager_id, slug, title, starts_at, venue_name, venue_city, status, total_capacity, high_demand)
    values (${tenant.id}, ${user.id}, 'warm-up', 'Warm-up', now() + interval '30 days', 'Hall', 'Nairobi', 'published', 100, true) returning id`
  const [warmType] = await sql`insert into ticket_types (tenant_id, event_id, name, price_minor, capacity, max_per_order, sort_order)
    values (${tenant.id}, ${warm.id}, 'Entry', 100000, 100, 10, 0) returning id`
  await sql`insert into tickets (tenant_id, event_id, ticket_type_id, price_minor, status, claimable_after)
    select ${tenant.id}, ${warm.id}, ${warmType.id}, 100000, 'available', '-infinity' from generate_series(1, 100)`
  await sql`vacuum analyze tickets`
  return { tenantId: tenant.id, eventId: event.id, types }
}

/**
 * A server that has served before the sale opens, as a deployment's has: its pool's connections open and its
 * code compiled. WARM_UP requests (default 3,000) over all the connections, to the sale's event page and to
 * another event's queue page (a new browser each, so each joins that queue), none touching the sale itself.
 */
async function warmUp(base) {
  const total = Number(process.env.WARM_UP ?? 3000)
  let next = 0
  await Promise.all(Array.from({ length: connections }, async () => {
    while (next < total) {
      const path = next++ % 3 === 0 ? '/events/flash' : '/events/warm-up/queue'
      const res = await request(`${base}${path}`, { headers: { 'accept-encoding': 'gzip' } })
      await res.body.arrayBuffer()
    }
  }))
}

async function resetSale(sql, eventId) {
  await sql`update tickets set status = 'available', claimable_after = '-infinity', reserved_until = null, reservation_id = null
    where event_id = ${eventId}`
  await sql`delete from reservations where event_id = ${eventId}`
  await sql`delete from idempotency_keys`
  await sql`vacuum analyze tickets`
}

/** Tickets held beyond each type's capacity (a type cannot have more rows than that, but the check is the point). */
async function oversoldNow(sql, sale) {
  let over = 0
  for (const [i, type] of sale.types.entries()) {
    const [row] = await sql`select count(*)::int as n from tickets where ticket_type_id = ${type} and claimable_after > now()`
    over += Math.max(0, row.n - capacities[i])
  }
  const [twice] = await sql`select count(*)::int as n from (select id from tickets where event_id = ${sale.eventId}
    and reservation_id is not null group by id having count(distinct reservation_id) > 1) t`
  return over + twice.n
}

/** Deterministic buyer mix: types weighted by capacity, quantities 1–4. */
const buyerAt = (i, types) => ({ type: types[i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2], quantity: 1 + ((i * 7) % 4) })

const percentile = (sorted, q) => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
const pLine = (label, latencies) => {
  const sorted = [...latencies].sort((a, b) => a - b)
  return `${label} p50 ${percentile(sorted, 0.5).toFixed(1)} ms, p95 ${percentile(sorted, 0.95).toFixed(1)} ms, ` +
    `p99 ${percentile(sorted, 0.99).toFixed(1)} ms (${sorted.length} requests)`
}

/**
 * `workers` callers take buyers 0…count-1 in turn; `attempt(i)` answers { quantity, kind, requests }
 * where kind is 'held', 'sold_out' or 'other', and requests lists [latency ms, hold?] of every request made.
 */
async function drive(count, workers, attempt) {
  let next = 0
  const outcomes = []
  const started = performance.now()
  await Promise.all(Array.from({ length: workers }, async () => {
    while (next < count) {
      const i = next++
      const t0 = performance.now()
      const outcome = await attempt(i)
      outcomes.push({ ...outcome, start: t0 - started, end: performance.now() - started, latency: performance.now() - t0 })
    }
  }))
  const elapsed = (performance.now() - started) / 1000
  const held = outcomes.filter((o) => o.kind === 'held')
  const soldOut = outcomes.filter((o) => o.kind === 'sold_out')
  const lastHeld = Math.max(0, ...held.map((o) => o.end)) / 1000
  const soldOutSpan = soldOut.length < 2 ? 0 : (Math.max(...soldOut.map((o) => o.end)) - Math.min(...soldOut.map((o) => o.end))) / 1000
  return {
    outcomes, startedAt: started, elapsed, holds: held.length, tickets: held.reduce((n, o) => n + o.quantity, 0),
    holdRate: held.length / lastHeld, soldOutRate: soldOutSpan > 0 ? soldOut.length / soldOutSpan : NaN,
    soldOut: soldOut.length, other: outcomes.filter((o) => o.kind === 'other').length, lastHeld,
  }
}

/** The machine's ceiling: one-row conditional UPDATEs, each its own transaction, for `seconds`. */
async function ceiling(sql, seconds = 5) {
  await sql`create table bench_ceiling (id integer primary key, n integer not null)`
  await sql`insert into bench_ceiling select i, 0 from generate_series(1, 100000) i`
  await sql`vacuum analyze bench_ceiling`
  let done = 0
  const until = performance.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      await sql`update bench_ceiling set n = n + 1 where id = ${1 + Math.floor(Math.random() * 100000)} and n >= 0`
      done++
    }
  }))
  await sql`drop table bench_ceiling`
  return done / ((performance.now() - started) / 1000)
}

/** The SQL one hold runs with group commit off, as src/tickets/reservations.ts issues it: one call to hold_tickets(). */
async function bareSqlHold(sql, sale, i) {
  const b = buyerAt(i, sale.types)
  try {
    await sql`select hold_tickets(${sale.eventId}, ${[{ ticketTypeId: b.type, quantity: b.quantity }]}::jsonb, null, ${`hash-${i}`},
      ${`sql-buyer-key-hash-${i}`}, ${`request-${i}`}, now(), null, 0)`
    return { quantity: b.quantity, kind: 'held' }
  } catch (error) {
    if (error.code === 'TK409') return { quantity: 0, kind: 'sold_out' }
    throw error
  }
}

/** The same holds, GROUP at a time in one transaction (hold_tickets_batch()), for the choice of group commit. */
async function bareSqlGroups(sql, sale, group = 20) {
  const groups = Math.ceil(buyers / group)
  let tickets = 0
  let holds = 0
  let lastHeld = 0
  const started = performance.now()
  let next = 0
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(connections / group)) }, async () => {
    while (next < groups) {
      const g = next++
      const holdsOfGroup = []
      for (let i = g * group; i < Math.min(buyers, (g + 1) * group); i++) {
        const b = buyerAt(i, sale.types)
        holdsOfGroup.push({ items: [{ ticketTypeId: b.type, quantity: b.quantity }], userId: null, tokenHash: `hash-${i}`,
          keyHash: `sql-group-key-hash-${i}`, requestHash: `request-${i}`, now: new Date().toISOString(), clientKey: null, maxOpenHolds: 0 })
      }
      const [{ answers }] = await sql`select hold_tickets_batch(${sale.eventId}, ${holdsOfGroup}::jsonb) as answers`
      answers.forEach((answer, k) => {
        if (answer.created) {
          holds++
          tickets += holdsOfGroup[k].items[0].quantity
          lastHeld = performance.now()
        }
      })
    }
  }))
  return { holds, tickets, holdRate: holds / ((lastHeld - started) / 1000) }
}

/** What one claim costs now: EXPLAIN ANALYZE of the claim's row pick for `quantity` rows, rolled back. */
async function claimCost(sql, type, quantity = 4) {
  const rollback = new Error('rollback')
  let cost = ''
  await sql.begin(async (trx) => {
    const plan = await trx.unsafe(`explain (analyze, buffers, format json)
      select id from tickets where ticket_type_id = $1 and claimable_after <= now()
      order by claimable_after, id limit ${quantity} for update skip locked`, [type])
    const top = plan[0]['QUERY PLAN'][0]
    const buffers = (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0)
    cost = `${top['Execution Time'].toFixed(3)} ms, ${buffers} buffers`
    throw rollback
  }).catch((error) => { if (error !== rollback) throw error })
  return cost
}

/** Claims `fraction` of the type's rows through hold_tickets(), `pool` at a time. */
async function claimFraction(sql, sale, type, rows, fraction) {
  let left = Math.floor(rows * fraction)
  await Promise.all(Array.from({ length: pool }, async (_, w) => {
    for (let i = 0; left > 0; i++) {
      const quantity = Math.min(4, left)
      left -= quantity
      await sql`select hold_tickets(${sale.eventId}, ${[{ ticketTypeId: type, quantity }]}::jsonb, null, ${`probe-${w}-${i}`},
        null, ${`probe-${w}-${i}`}, now(), null, 0)`
    }
  }))
}

const soldOutOrHeld = (status) => status === 201 ? 'held' : status === 409 ? 'sold_out' : 'other'

/** One buyer over HTTP: the hold request (and, in the waiting room, whatever pages it answers first). */
async function httpBuyer(base, sale, runId, i) {
  const b = buyerAt(i, sale.types)
  // undici's request() rather than fetch(), as the queue's buyers (bench/flash-sale-queue.mjs) say why
  const res = await request(`${base}/api/v1/events/${sale.eventId}/reservations`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `buyer-${i}-${runId}` },
    body: JSON.stringify({ items: [{ ticketTypeId: b.type, quantity: b.quantity }] }),
  })
  await res.body.arrayBuffer()
  return { quantity: res.statusCode === 201 ? b.quantity : 0, kind: soldOutOrHeld(res.statusCode), status: res.statusCode }
}

/**
 * Turns on the event's high-demand mode (the waiting room), when this build has it: events.high_demand.
 * Answers false when the build has no waiting room.
 */
async function enableWaitingRoom(sql, eventId) {
  const [column] = await sql`select 1 as present from information_schema.columns
    where table_schema = 'public' and table_name = 'events' and column_name = 'high_demand'`
  if (!column) return false
  await sql`update events set high_demand = true where id = ${eventId}`
  return true
}

/** Transactions committed or rolled back in the bench database so far (pg_stat_database). */
async function transactionsSoFar(sql) {
  const [row] = await sql`select (xact_commit + xact_rollback)::bigint as n from pg_stat_database where datname = current_database()`
  return Number(row.n)
}

function peakMemoryMb(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1])
    return (kb / 1024).toFixed(0)
  } catch {
    return '?'
  }
}

async function startServer(extraEnv = {}) {
  // BENCH_CPU_PROFILE=DIR: the server writes a V8 CPU profile and its summary there when it stops
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof-dir', process.env.BENCH_CPU_PROFILE, '--cpu-prof-md'] : []
  const child = spawn(DENO, ['run', '-A', ...profile, 'src/platform/deno/main.ts'], {
    env: { ...process.env, DATABASE_URL: dbUrl.toString(), PORT: String(port), APP_ENV: 'production', PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_POOL_MAX: String(pool),
      // every simulated buyer comes from this machine's address: no per-client hold cap
      HOLDS_PER_CLIENT: '0', NOTIFICATIONS: 'off', WAITING_ROOM_SECRET: crypto.randomUUID() + crypto.randomUUID(), ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (let i = 0; ; i++) {
    try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break } catch {}
    if (i > 240) throw new Error('the server did not start')
    await sleep(250)
  }
  return child
}

async function stopServer(child) {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await Promise.race([exited, sleep(5000)])
}

let server
let oversold = 0
try {
  console.log(`flash sale: ${capacity} tickets in three types (${capacities.join(' / ')}), ${buyers} buyers, ` +
    `${connections} connections, pool ${pool}, group commit ${process.env.HOLD_GROUP_COMMIT ?? 'on'}`)
  await admin.unsafe(`create database ${name}`)
  const migrate = spawnSync('npm', ['run', '--silent', 'migrate'], { env: { ...process.env, DATABASE_URL: dbUrl.toString() }, stdio: ['ignore', 'ignore', 'inherit'] })
  if (migrate.status !== 0) throw new Error('migrations failed')
  const sql = postgres(dbUrl.toString(), { max: pool, onnotice: () => {} })

  // 1. the ceiling
  const ceilingRate = await ceiling(sql)
  console.log(`ceiling ${Math.round(ceilingRate)} tx/s`)

  const sale = await seed(sql)
  const base = `http://127.0.0.1:${port}`
  const runId = crypto.randomUUID().replace(/-/g, '')
  let appHoldRate = Number(process.env.ADMISSIONS_PER_MINUTE ?? 6000) / 60
  if (!queueOnly) {
  // 2. the bare SQL of one hold, at the same concurrency, then in groups
  const bare = await drive(buyers, connections, (i) => bareSqlHold(sql, sale, i))
  oversold = Math.max(oversold, await oversoldNow(sql, sale))
  console.log(`bare SQL ${Math.round(bare.holdRate)} holds/s`)
  await resetSale(sql, sale.eventId)
  const grouped = await bareSqlGroups(sql, sale)
  oversold = Math.max(oversold, await oversoldNow(sql, sale))
  console.log(`  (for the choice: the same holds 20 to a transaction, hold_tickets_batch(): ${Math.round(grouped.holdRate)} holds/s, ` +
    `${grouped.tickets} tickets held)`)
  await resetSale(sql, sale.eventId)

  // 3. the app, over HTTP
  server = await startServer()
  await warmUp(base)
  const app = await drive(buyers, connections, (i) => httpBuyer(base, sale, runId, i))
  oversold = Math.max(oversold, await oversoldNow(sql, sale))
  const all = app.outcomes.map((o) => o.latency)
  console.log(`app ${Math.round(app.holdRate)} holds/s`)
  console.log(`hold/ceiling ratio ${(app.holdRate / ceilingRate).toFixed(2)}`)
  console.log(pLine('every request', all))
  console.log(pLine('hold requests', all))
  console.log(`sold-out answers ${Math.round(app.soldOutRate)}/s`)
  console.log(`  (${app.holds} holds, ${app.tickets} tickets, sold out after ${app.lastHeld.toFixed(2)} s; ${app.soldOut} sold-out answers; ` +
    `${app.other} other answers; ${Math.round(buyers / app.elapsed)} requests/s overall)`)
  console.log(`oversold ${oversold}`)
  console.log(`server peak memory ${peakMemoryMb(server.pid)} MB`)
  await stopServer(server)
  server = undefined
  appHoldRate = app.holdRate
  }

  // 3b. with the waiting room: every buyer opens the queue page, follows its refresh, and holds once admitted;
  // the queue admits at the hold rate the app just sustained (what "measured on this deployment" means)
  await resetSale(sql, sale.eventId)
  if (!(await enableWaitingRoom(sql, sale.eventId))) {
    console.log('waiting room: not available in this build')
  } else {
    await resetQueue(sql, sale.eventId)
    const perMinute = Math.max(60, Math.round(appHoldRate * 60))
    await sql`update events set admission_per_minute = ${perMinute} where id = ${sale.eventId}`
    server = await startServer()
    await warmUp(base)
    const transactionsBefore = await transactionsSoFar(sql)
    const queued = await drive(buyers, connections, (i) => queuedBuyer(base, sale, 'flash', `${runId}q`, i, buyerAt))
    oversold = Math.max(oversold, await oversoldNow(sql, sale))
    const requests = queued.outcomes.flatMap((o) => o.requests ?? [])
    console.log(`with the waiting room (admitting ${perMinute}/min):`)
    console.log(`app ${Math.round(queued.holdRate)} holds/s`)
    console.log(`hold/ceiling ratio ${(queued.holdRate / ceilingRate).toFixed(2)}`)
    console.log(pLine('every request', requests.map((r) => r.ms)))
    console.log(pLine('hold requests', requests.filter((r) => r.hold).map((r) => r.ms)))
    const lastHeldAt = queued.startedAt + queued.lastHeld * 1000
    const firstSecond = requests.filter((r) => r.at <= queued.startedAt + 1000).map((r) => r.ms)
    console.log(`  (${pLine('while tickets last', requests.filter((r) => r.at <= lastHeldAt).map((r) => r.ms))}; ` +
      `${pLine('after', requests.filter((r) => r.at > lastHeldAt).map((r) => r.ms))}; ${pLine('the first second', firstSecond)})`)
    if (process.env.BENCH_SECONDS) {
      // BENCH_SECONDS=1: every second of the run on its own line (requests, p50 and p99 of those begun in it)
      const bySecond = new Map()
      for (const r of requests) {
        const second = Math.floor((r.at - queued.startedAt) / 1000)
        bySecond.set(second, [...(bySecond.get(second) ?? []), r.ms])
      }
      for (const [second, ms] of [...bySecond].sort((a, b) => a[0] - b[0])) {
        const sorted = ms.sort((a, b) => a - b)
        console.log(`  second ${second}: ${sorted.length} requests, p50 ${percentile(sorted, 0.5).toFixed(0)} ms, p99 ${percentile(sorted, 0.99).toFixed(0)} ms`)
      }
    }
    await sleep(1500) // the server's statistics reach pg_stat_database within a second of its backends going idle
    const transactions = (await transactionsSoFar(sql)) - transactionsBefore
    console.log(`  (${transactions} database transactions, ${(transactions / requests.length).toFixed(2)} a request)`)
    console.log(`sold-out answers ${Math.round(queued.soldOutRate)}/s`)
    console.log(`  (${queued.holds} holds, ${queued.tickets} tickets, sold out after ${queued.lastHeld.toFixed(2)} s; ${queued.soldOut} sold-out ` +
      `answers; ${queued.other} other answers; ${requests.length} requests, ${Math.round(requests.length / queued.elapsed)}/s overall)`)
    console.log(`oversold ${oversold}`)
    console.log(`server peak memory ${peakMemoryMb(server.pid)} MB`)
    await stopServer(server)
    server = undefined
  }

  // 4. the claim index: a claim at the start, at 90 % sold, and after a vacuum (largest type)
  if (!queueOnly) {
  await resetSale(sql, sale.eventId)
  const big = sale.types[0]
  const fresh = await claimCost(sql, big)
  await claimFraction(sql, sale, big, capacities[0], 0.9)
  const at90 = await claimCost(sql, big)
  await claimFraction(sql, sale, big, capacities[0], 0.1)
  const soldOutClaim = await claimCost(sql, big)
  await sql`vacuum tickets`
  const afterVacuum = await claimCost(sql, big)
  console.log(`claim of 4 (${capacities[0]} rows): at the start ${fresh}; at 90 % sold ${at90}; sold out ${soldOutClaim}; ` +
    `sold out after vacuum ${afterVacuum}`)
  }
  await sql.end()
} finally {
  if (server) await stopServer(server).catch(() => {})
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
  await admin.end()
}
process.exit(oversold > 0 ? 1 : 0)
