#!/usr/bin/env node
/**
 * The gate, measured. Against the Deno server (`npm start`) on the local Postgres, with one event of
 * TICKETS sold tickets (default 10,000) carrying real signed codes:
 *
 * 1. Server check-in: DEVICES phones (default 16) scanning at once through POST …/scans with their
 *    device tokens, every ticket once plus REPEATS (default 10%) second scans. Prints scans/s and the
 *    latency p50/p95/max; fails unless exactly TICKETS scans were valid and every ticket is used.
 * 2. Offline verification in headless Chromium with 4x CPU throttling (DevTools' setCPUThrottlingRate):
 *    the manifest's size as sent (gzip) and its parse + merge time, then the time per code of the
 *    page's own offline check (static/assets/gate-check-*.js with signed-code-*.js: Ed25519 verify and
 *    the manifest lookup), over CODES different codes (default 500).
 *
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server; a scratch
 * database is created and dropped. BENCH_PORT (default 8130; the simulator takes the next port).
 */
import { spawn, spawnSync } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { chromium } from 'playwright-core'
import postgres from 'postgres'

const ROOT = join(import.meta.dirname, '..')
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const TICKETS = Number(process.env.TICKETS ?? 10_000)
const DEVICES = Number(process.env.DEVICES ?? 16)
const REPEATS = Number(process.env.REPEATS ?? 0.1)
const CODES = Number(process.env.CODES ?? 500)
const port = Number(process.env.BENCH_PORT ?? 8130)
const base = `http://127.0.0.1:${port}`
const name = `gate_bench_${Date.now()}`
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} })
const dbUrl = new URL(serverUrl)
dbUrl.pathname = `/${name}`
const assets = readFileSync(join(ROOT, 'src/http/static-assets.ts'), 'utf8')
const asset = (key) => new RegExp(`${key}: '([^']+)'`).exec(assets)[1]

const percentile = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]
const figures = (values) => `p50 ${percentile(values, 50).toFixed(2)} ms, p95 ${percentile(values, 95).toFixed(2)} ms, max ${Math.max(...values).toFixed(2)} ms`
const sha256 = (text) => createHash('sha256').update(text).digest('hex')

/** The gzipped bytes of a GET, as they cross the network. */
function rawSize(path, headers) {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { headers: { ...headers, 'accept-encoding': 'gzip' } }, (res) => {
      let bytes = 0
      res.on('data', (chunk) => { bytes += chunk.length })
      res.on('end', () => resolve({ bytes, encoding: res.headers['content-encoding'] }))
    }).on('error', reject).end()
  })
}

async function seed(sql) {
  const { signTicketCode } = await import(join(ROOT, 'static', asset('signedCode')))
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])
  const publicKey = Buffer.from(await crypto.subtle.exportKey('raw', pair.publicKey)).toString('base64url')
  const [tenant] = await sql`insert into tenants (name, slug, status) values ('Gate bench', ${'gate-bench-' + Date.now()}, 'active') returning id`
  const [manager] = await sql`insert into users (email, name, role) values (${`m-${Date.now()}@bench.test`}, 'Bench Manager', 'event_manager') returning id`
  const [event] = await sql`insert into events (tenant_id, manager_id, slug, title, starts_at, venue_name, venue_city, status, total_capacity)
    values (${tenant.id}, ${manager.id}, ${'gate-bench-' + Date.now()}, 'Gate bench', now() + interval '1 day', 'Bench Arena', 'Nairobi', 'published', ${TICKETS}) returning id`
  const [type] = await sql`insert into ticket_types (tenant_id, event_id, name, price_minor, capacity, sold)
    values (${tenant.id}, ${event.id}, 'Regular', 100000, ${TICKETS}, ${TICKETS}) returning id`
  await sql`insert into ticket_signing_keys (tenant_id, key_id, public_key, sealed_private_key) values (${tenant.id}, 1, ${publicKey}, 'unused')`
  const issuedAt = new Date()
  const codes = []
  for (let i = 0; i < TICKETS; i += 1000) {
    const rows = []
    for (let j = i; j < Math.min(TICKETS, i + 1000); j++) {
      const id = randomUUID()
      const code = await signTicketCode({ keyId: 1, ticketId: id, eventId: event.id, qrVersion: 1, issuedAt }, pair.privateKey)
      codes.push(code)
      rows.push({ id, tenant_id: tenant.id, event_id: event.id, ticket_type_id: type.id, price_minor: 100000, status: 'active', qr_code: code, qr_version: 1 })
    }
    await sql`insert into tickets ${sql(rows)}`
  }
  await sql`update tickets set claimable_after = 'infinity' where event_id = ${event.id}`
  const tokens = []
  for (let d = 0; d < DEVICES; d++) {
    const [user] = await sql`insert into users (email, name, role) values (${`s${d}-${Date.now()}@bench.test`}, ${'Scanner ' + d}, 'user') returning id`
    await sql`insert into memberships (tenant_id, user_id, role) values (${tenant.id}, ${user.id}, 'scanner')`
    await sql`insert into scanner_assignments (tenant_id, event_id, user_id) values (${tenant.id}, ${event.id}, ${user.id})`
    const token = 'sd_' + randomBytes(32).toString('base64url')
    await sql`insert into scanner_devices (tenant_id, user_id, device_id, token_hash, expires_at)
      values (${tenant.id}, ${user.id}, ${'bench-' + d}, ${sha256(token)}, now() + interval '1 day')`
    tokens.push(token)
  }
  return { eventId: event.id, codes, tokens }
}

async function checkIn({ eventId, codes, tokens }) {
  const queue = [...codes, ...codes.slice(0, Math.floor(codes.length * REPEATS))]
  const latencies = []
  const results = {}
  let next = 0
  const started = performance.now()
  await Promise.all(tokens.map(async (token, d) => {
    while (next < queue.length) {
      const code = queue[next++]
      const t0 = performance.now()
      const res = await fetch(`${base}/api/v1/events/${eventId}/scans`, {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ code, scanId: randomUUID(), scannedAt: new Date().toISOString(), deviceId: `bench-${d}`, gate: `G${d % 4}` }),
      })
      const body = await res.json()
      latencies.push(performance.now() - t0)
      results[body.result ?? res.status] = (results[body.result ?? res.status] ?? 0) + 1
    }
  }))
  const seconds = (performance.now() - started) / 1000
  console.log(`server check-in: ${queue.length} scans by ${DEVICES} devices in ${seconds.toFixed(1)} s = ${(queue.length / seconds).toFixed(0)} scans/s; latency ${figures(latencies)}`)
  console.log(`  answers: ${JSON.stringify(results)}`)
  return results
}

async function offline({ eventId, codes, tokens }) {
  const headers = { authorization: `Bearer ${tokens[0]}` }
  const { bytes, encoding } = await rawSize(`/api/v1/events/${eventId}/scanner-manifest`, headers)
  const text = await (await fetch(`${base}/api/v1/events/${eventId}/scanner-manifest`, { headers })).text()
  console.log(`manifest for ${TICKETS} tickets: ${(bytes / 1024).toFixed(1)} KB as sent (${encoding}), ${(text.length / 1024).toFixed(1)} KB of JSON`)
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] })
  try {
    const page = await browser.newPage()
    await page.goto(`${base}/healthz`)
    const cdp = await page.context().newCDPSession(page)
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 })
    const sample = codes.slice(0, CODES)
    const out = await page.evaluate(async ({ text, sample, eventId, codeModule, checkModule }) => {
      const lib = await import(codeModule)
      const check = await import(checkModule)
      const t0 = performance.now()
      const m = check.mergeManifest(undefined, JSON.parse(text))
      const parse = performance.now() - t0
      const keys = await check.importKeys(m)
      const here = new Set()
      const times = []
      const verdicts = {}
      for (const code of sample) {
        const s = performance.now()
        const v = await check.offlineVerdict(lib, m, keys, here, code, eventId)
        times.push(performance.now() - s)
        verdicts[v.result] = (verdicts[v.result] ?? 0) + 1
      }
      return { parse, times, verdicts, entries: m.entries.size }
    }, { text, sample, eventId, codeModule: asset('signedCode'), checkModule: asset('gateCheck') })
    console.log(`offline, 4x CPU throttling: manifest parse + merge ${out.parse.toFixed(1)} ms (${out.entries} tickets); per code ${figures(out.times)}, mean ${(out.times.reduce((a, b) => a + b, 0) / out.times.length).toFixed(2)} ms`)
    console.log(`  verdicts (after the check-in run every ticket is used): ${JSON.stringify(out.verdicts)}`)
  } finally {
    await browser.close()
  }
}

let server
try {
  await admin.unsafe(`create database ${name}`)
  const migrate = spawnSync('npm', ['run', '--silent', 'migrate'], { env: { ...process.env, DATABASE_URL: dbUrl.toString() }, stdio: 'inherit' })
  if (migrate.status !== 0) throw new Error('migrations failed')
  server = spawn('npm', ['start'], {
    env: {
      ...process.env, DATABASE_URL: dbUrl.toString(), PORT: String(port), APP_ENV: 'development', HOST: '127.0.0.1',
      PUBLIC_URL: base, SECRETS_KEYS: `bench1:${randomBytes(32).toString('base64url')}`, DARAJA_SIMULATOR: 'off', LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'ignore', 'inherit'], detached: true,
  })
  for (let i = 0; ; i++) {
    if (i > 300) throw new Error('the server did not start')
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break
    await sleep(100)
  }
  const sql = postgres(dbUrl.toString(), { max: 4, onnotice: () => {} })
  const gate = await seed(sql)
  const results = await checkIn(gate)
  const [used] = await sql`select count(*)::int as n from tickets where event_id = ${gate.eventId} and status = 'used'`
  const [valid] = await sql`select count(*)::int as n from scans where event_id = ${gate.eventId} and scan_result = 'valid'`
  console.log(`  tickets used: ${used.n}, valid scans recorded: ${valid.n}`)
  if (used.n !== TICKETS || valid.n !== TICKETS || results.valid !== TICKETS) process.exitCode = 1
  await offline(gate)
  await sql.end()
} finally {
  if (server) try { process.kill(-server.pid, 'SIGTERM') } catch {}
  await sleep(500)
  await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
  await admin.end()
}
