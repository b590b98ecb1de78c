#!/usr/bin/env node
/**
 * The organiser dashboard and the exports, over HTTP against the Deno server (`npm start`) on the local
 * Postgres, for one event of 10,000 tickets sold in 4,000 orders with 10,000 scans at the gate
 * (9,000 first admissions, 1,000 duplicates), written straight into a scratch database beside the demo
 * data. Signs in as the demo manager of Nairobi Live.
 *
 * Prints p50/p95/max of the event dashboard and of /manage (all events) over RUNS requests (default 40),
 * then the time, size and the server's peak resident memory (sampled from /proc every 10 ms) of the
 * attendee export (10,000 rows) as CSV, XLSX and PDF, and the check-in list PDF.
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a scratch
 * database is created and dropped. BENCH_PORT (default 8150) is where the app listens (the Daraja
 * simulator takes the next port). KEEP_DATABASE=1 keeps the scratch database for a look at the plans.
 */
import { spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const runs = Number(process.env.RUNS ?? 40)
const port = Number(process.env.BENCH_PORT ?? 8150)
const base = `http://127.0.0.1:${port}`
const name = `analytics_bench_${Date.now()}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
const dbUrl = new URL(serverUrl)
dbUrl.pathname = `/${name}`

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
const figures = (values) => `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, max ${Math.max(...values).toFixed(1)} ms`
const mb = (kb) => `${(kb / 1024).toFixed(1)} MB`

/** The Deno process under `npm start` (its process group), found by its parent chain. */
function denoPid(groupId) {
  const out = spawnSync('ps', ['-o', 'pid=,comm=', '-g', String(groupId)], { encoding: 'utf8' }).stdout
  const line = out.split('\n').find((l) => /\bdeno\b/.test(l))
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined
}

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)

/** Times one request to the end of its body, sampling the server's memory meanwhile. */
async function timed(path, cookie, pid) {
  let peak = rssKb(pid)
  const before = peak
  const sampler = setInterval(() => { peak = Math.max(peak, rssKb(pid)) }, 10)
  const started = performance.now()
  const res = await fetch(`${base}${path}`, { headers: { cookie } })
  const body = new Uint8Array(await res.arrayBuffer())
  const ms = performance.now() - started
  clearInterval(sampler)
  peak = Math.max(peak, rssKb(pid))
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${new TextDecoder().decode(body).slice(0, 300)}`)
  return { ms, bytes: body.length, before, peak }
}

async function seed(sql) {
  const [manager] = await sql`select u.id, m.tenant_id from users u join memberships m on m.user_id = u.id where u.email = 'wanjiku@nairobi-live.test'`
  const [event] = await sql`insert into events (tenant_id, manager_id, slug, title, starts_at, venue_name, venue_city, status, total_capacity)
    values (${manager.tenant_id}, ${manager.id}, ${'bench-' + Date.now()}, 'Bench Arena Night', now() - interval '2 hours', 'Kasarani', 'Nairobi', 'published', 10000)
    returning id`
  const [type] = await sql`insert into ticket_types (tenant_id, event_id, name, price_minor, capacity, sold)
    values (${manager.tenant_id}, ${event.id}, 'Regular', 150000, 10000, 10000) returning id`
  const [scanner] = await sql`select id from users where email = 'scanner@nairobi-live.test'`
  // 4,000 buyers (every 50th with a name in Amharic, so the PDF needs its Unicode font), 4,000 orders of 2 or 3 tickets
  await sql`insert into users (email, name, phone, role)
    select 'bench-buyer-' || g || '@example.test', case when g % 50 = 0 then 'ሰላም ' || g else 'Buyer ' || g end,
      '2547' || lpad((10000000 + g)::text, 8, '0'), 'user' from generate_series(1, 4000) g`
  await sql`insert into reservations (id, tenant_id, event_id, user_id, status, expires_at, access_token_hash, total_minor, created_at)
    select md5('r' || g)::uuid, ${manager.tenant_id}, ${event.id}, u.id, 'paid', now(), md5('t' || g), 150000 * (2 + g % 2),
      now() - interval '5 days' + g * interval '100 seconds'
    from generate_series(1, 4000) g join users u on u.email = 'bench-buyer-' || g || '@example.test'`
  await sql`insert into transactions (id, tenant_id, event_id, user_id, reservation_id, amount_minor, commission_minor, status,
      mpesa_receipt_number, mpesa_phone, paid_phone, checkout_request_id, created_at, completed_at)
    select md5('x' || g)::uuid, r.tenant_id, r.event_id, r.user_id, r.id, r.total_minor, r.total_minor * 5 / 100, 'completed',
      'BENCH' || g, u.phone, u.phone, 'ws_CO_bench_' || g, r.created_at, r.created_at + interval '40 seconds'
    from generate_series(1, 4000) g join reservations r on r.id = md5('r' || g)::uuid join users u on u.id = r.user_id`
  await sql`insert into tickets (tenant_id, event_id, ticket_type_id, user_id, original_user_id, price_minor, status, qr_code,
      transaction_id, reservation_id, claimable_after)
    select tx.tenant_id, tx.event_id, ${type.id}, tx.user_id, tx.user_id, 150000, 'active', 'bench-' || g || '-' || k, tx.id, tx.reservation_id, 'infinity'
    from generate_series(1, 4000) g join transactions tx on tx.id = md5('x' || g)::uuid
    cross join lateral generate_series(1, 2 + g % 2) k`
  await sql`with admitted as (select id from tickets where ticket_type_id = ${type.id} order by id limit 9000)
    insert into scans (tenant_id, ticket_id, event_id, scanner_id, scan_result, scanned_at)
    select ${manager.tenant_id}, id, ${event.id}, ${scanner.id}, 'valid', now() - interval '2 hours' + random() * interval '2 hours' from admitted`
  await sql`update tickets t set status = 'used', scanned_at = s.scanned_at from scans s where s.ticket_id = t.id and s.event_id = ${event.id}`
  await sql`insert into scans (tenant_id, ticket_id, event_id, scanner_id, scan_result, scanned_at)
    select ${manager.tenant_id}, ticket_id, ${event.id}, ${scanner.id}, 'duplicate', scanned_at + interval '1 minute'
    from scans where event_id = ${event.id} order by ticket_id limit 1000`
  await sql`analyze`
  const [counts] = await sql`select (select count(*) from tickets where event_id = ${event.id})::int as tickets,
    (select count(*) from transactions where event_id = ${event.id})::int as orders, (select count(*) from scans where event_id = ${event.id})::int as scans`
  return { eventId: event.id, counts }
}

let server
try {
  await admin.unsafe(`create database ${name}`)
  const env = { ...process.env, DATABASE_URL: dbUrl.toString(), PORT: String(port), APP_ENV: 'development', HOST: '127.0.0.1',
    SECRETS_KEYS: `bench1:${randomBytes(32).toString('base64url')}`, DARAJA_BASE_URL: '' }
  const migrate = spawnSync('npm', ['run', '--silent', 'migrate'], { env, stdio: 'inherit' })
  if (migrate.status !== 0) throw new Error('migrations failed')
  server = spawn('npm', ['start'], { env, stdio: ['ignore', 'ignore', 'inherit'], detached: true })
  for (let i = 0; ; i++) {
    if (i > 600) throw new Error('the server did not start')
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break
    await sleep(100)
  }
  const sql = postgres(dbUrl.toString(), { max: 1, onnotice: () => {} })
  for (let i = 0; !(await sql`select 1 from users where email = 'wanjiku@nairobi-live.test'`).length; i++) {
    if (i > 300) throw new Error('no demo data')
    await sleep(100)
  }
  const { eventId, counts } = await seed(sql)
  await sql.end()
  console.log(`event: ${counts.tickets} tickets, ${counts.orders} orders, ${counts.scans} scans`)

  const login = await fetch(`${base}/login`, {
    method: 'POST', redirect: 'manual', headers: { origin: `http://localhost:${port}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ email: 'wanjiku@nairobi-live.test', password: 'tikiti-demo-2026' }),
  })
  const cookie = (login.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ')
  if (login.status !== 303 || !cookie.includes('__Host-session')) throw new Error(`sign-in failed: ${login.status}`)
  const pid = denoPid(server.pid)
  if (!pid) throw new Error('no deno process found under npm start')

  for (const [label, path] of [['event dashboard', `/manage/events/${eventId}/dashboard`], ['/manage (all events)', '/manage']]) {
    await timed(path, cookie, pid) // warm-up
    const times = []
    for (let i = 0; i < runs; i++) times.push((await timed(path, cookie, pid)).ms)
    console.log(`${label}: ${figures(times)} over ${runs} requests`)
  }
  for (const [label, path] of [
    ['attendees CSV', `/manage/exports/attendees.csv?event=${eventId}`],
    ['attendees XLSX', `/manage/exports/attendees.xlsx?event=${eventId}`],
    ['attendees PDF', `/manage/exports/attendees.pdf?event=${eventId}`],
    ['check-in list PDF', `/manage/exports/checkin-list.pdf?event=${eventId}`],
    ['orders CSV', `/manage/exports/orders.csv?event=${eventId}`],
    ['summary PDF', `/manage/exports/summary.pdf?event=${eventId}`],
  ]) {
    const r = await timed(path, cookie, pid)
    console.log(`${label}: ${r.ms.toFixed(0)} ms, ${(r.bytes / 1024).toFixed(0)} KB, server RSS ${mb(r.before)} → peak ${mb(r.peak)} (+${mb(r.peak - r.before)})`)
  }
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  console.log(`server peak resident memory over the whole run (VmHWM): ${mb(hwm)}`)
  // the machine is shared: say how busy it was
  console.log(`load average at the end (1/5/15 min): ${loadavg().map((l) => l.toFixed(1)).join(' / ')}`)
} finally {
  // npm start's process group: npm and the Deno server under it
  if (server) try { process.kill(-server.pid, 'SIGTERM') } catch {}
  await sleep(500)
  if (process.env.KEEP_DATABASE) console.log(`kept database ${name}`)
  else await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
  await admin.end()
}
