import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { sharedDatabase, type Database } from '../../src/db/database.ts'
import { expireHolds } from '../../src/jobs/expire-holds.ts'
import { qstashScheduler, type QStashConfig } from '../../src/jobs/qstash.ts'
import { postgresScheduler, runDueJobs } from '../../src/jobs/scheduler.ts'
import type { BackgroundServices } from '../../src/services.ts'
import { base64Url, sha256Hex } from '../../src/lib/crypto.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant, unique } from '../support/fixtures.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

const JOB_SERVICES: BackgroundServices = { daraja: {}, get scheduler() { return postgresScheduler(db) } }

const jobsOf = (key: string) => asSystem(db, (trx) => trx.selectFrom('jobs').selectAll().where('payload', '@>', { key } as never).execute())

describe('the jobs table', () => {
  it(`runs a due job once even with two runners racing, and leaves future jobs alone ${concurrencyNote}`, async () => {
    const key = unique('race')
    const runs: string[] = []
    const scheduler = postgresScheduler(db)
    const now = new Date(Date.now() + 1000) // a moment after the enqueue below
    await scheduler.enqueue({ kind: 'expire-holds', payload: { key } })
    await scheduler.enqueue({ kind: 'expire-holds', payload: { key, later: true }, runAt: new Date(now.getTime() + 3600_000) })
    const handler = async (_db: Database, payload: Record<string, unknown>) => {
      if (payload.key === key) runs.push(String(payload.later ?? 'now'))
    }
    await Promise.all([runDueJobs(db, JOB_SERVICES, { 'expire-holds': handler }, now), runDueJobs(db, JOB_SERVICES, { 'expire-holds': handler }, now)])
    expect(runs).toEqual(['now'])
    const rows = await jobsOf(key)
    expect(rows.map((row) => row.status).sort()).toEqual(['done', 'pending'])
  })

  it('drops a duplicate while the first is pending, and retries a failing job with backoff until it gives up', async () => {
    const key = unique('retry')
    const scheduler = postgresScheduler(db)
    await scheduler.enqueue({ kind: 'expire-holds', payload: { key }, dedupeKey: key })
    await scheduler.enqueue({ kind: 'expire-holds', payload: { key }, dedupeKey: key })
    expect(await jobsOf(key)).toHaveLength(1)
    let clock = new Date()
    const failing = async (_db: Database, payload: Record<string, unknown>) => {
      if (payload.key === key) throw new Error('Daraja is down')
    }
    for (let attempt = 1; attempt <= 5; attempt++) {
      await runDueJobs(db, JOB_SERVICES, { 'expire-holds': failing }, clock)
      const [row] = await jobsOf(key)
      expect(row!.attempts).toBe(attempt)
      expect(row!.last_error).toBe('Daraja is down')
      expect(row!.status).toBe(attempt < 5 ? 'pending' : 'failed')
      // not before its backoff
      await runDueJobs(db, JOB_SERVICES, { 'expire-holds': failing }, clock)
      expect((await jobsOf(key))[0]!.attempts).toBe(attempt)
      clock = new Date(row!.run_at.getTime() + 1)
    }
  })
})

describe('the hold sweep', () => {
  it('marks expired holds expired and hands their rows back, leaving live holds alone', async () => {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 10 }] })
    const start = new Date()
    const old = await createReservation(db, { eventId: event.id, items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 3 }], userId: null, now: new Date(start.getTime() - 11 * 60_000) })
    const live = await createReservation(db, { eventId: event.id, items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }], userId: null, now: start })
    await expireHolds(db, {}, start, JOB_SERVICES)
    const reservations = await asSystem(db, (trx) => trx.selectFrom('reservations').select(['id', 'status']).where('event_id', '=', event.id).execute())
    expect(Object.fromEntries(reservations.map((r) => [r.id, r.status]))).toEqual({ [old.reservation.id]: 'expired', [live.reservation.id]: 'held' })
    const tickets = await asSystem(db, (trx) => trx.selectFrom('tickets').select(['status', 'reservation_id']).where('event_id', '=', event.id).execute())
    expect(tickets.filter((t) => t.status === 'pending_payment').map((t) => t.reservation_id)).toEqual([live.reservation.id, live.reservation.id])
    expect(tickets.filter((t) => t.status === 'available')).toHaveLength(8)
  })

  it('deletes idempotency keys past their 24 hours, leaving live ones', async () => {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 10 }] })
    const start = new Date()
    const hold = (key: string, now: Date) => createReservation(db, {
      eventId: event.id, items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }], userId: null, idempotencyKey: key, now,
    })
    await hold(crypto.randomUUID().replace(/-/g, ''), new Date(start.getTime() - 25 * 3600_000))
    const live = crypto.randomUUID().replace(/-/g, '')
    await hold(live, new Date(start.getTime() - 23 * 3600_000))
    const keysOf = () => asSystem(db, (trx) => trx.selectFrom('idempotency_keys').select('key').where('tenant_id', '=', tenant.id).execute())
    expect(await keysOf()).toHaveLength(2)
    await expireHolds(db, {}, start, JOB_SERVICES)
    expect(await keysOf()).toEqual([{ key: await sha256Hex(live) }])
  })
})

describe('QStash', () => {
  const signing = { currentSigningKey: 'sig_current_test_key', nextSigningKey: 'sig_next_test_key' }

  async function mint(key: string, url: string, body: string, overrides: Record<string, unknown> = {}) {
    const enc = (value: unknown) => base64Url(new TextEncoder().encode(JSON.stringify(value)))
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body)))
    const now = Math.floor(Date.now() / 1000)
    const unsigned = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc({ iss: 'Upstash', sub: url, iat: now, nbf: now, exp: now + 300,
      jti: crypto.randomUUID(), body: base64Url(digest), ...overrides })}`
    const hmac = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    const signature = new Uint8Array(await crypto.subtle.sign('HMAC', hmac, new TextEncoder().encode(unsigned)))
    return `${unsigned}.${base64Url(signature)}`
  }

  it('publishes a job with its delay and deduplication id', async () => {
    const seen: Array<{ url: string; headers: Record<string, unknown>; body: string }> = []
    const server = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk) => (body += chunk))
      req.on('end', () => {
        seen.push({ url: req.url ?? '', headers: req.headers, body })
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messageId: 'msg_1' }))
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const config: QStashConfig = { token: 'qstash-token', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      ...signing, destination: 'https://tikiti.example/jobs/qstash' }
    const runAt = new Date(Date.now() + 90_000)
    await qstashScheduler(config).enqueue({ kind: 'expire-holds', payload: { reservationId: 'r1' }, runAt, dedupeKey: 'check-r1' })
    server.close()
    expect(seen).toHaveLength(1)
    expect(seen[0]!.url).toBe('/v2/publish/https://tikiti.example/jobs/qstash')
    expect(seen[0]!.headers.authorization).toBe('Bearer qstash-token')
    expect(seen[0]!.headers['upstash-not-before']).toBe(String(Math.ceil(runAt.getTime() / 1000)))
    expect(seen[0]!.headers['upstash-deduplication-id']).toBe('check-r1')
    expect(JSON.parse(seen[0]!.body)).toEqual({ kind: 'expire-holds', payload: { reservationId: 'r1' } })
  })

  it('runs a delivery signed with the current or next key, and refuses anything else with 401', async () => {
    const destination = 'https://tikiti.example/jobs/qstash'
    const app = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), log: () => {},
      qstash: { token: 't', ...signing, destination } })
    const body = JSON.stringify({ kind: 'expire-holds', payload: {} })
    const deliver = (signature: string | undefined, raw = body) => app.request('/jobs/qstash', {
      method: 'POST', body: raw, headers: { 'content-type': 'application/json', ...(signature ? { 'upstash-signature': signature } : {}) },
    })
    expect((await deliver(await mint(signing.currentSigningKey, destination, body))).status).toBe(200)
    expect((await deliver(await mint(signing.nextSigningKey, destination, body))).status).toBe(200)
    for (const signature of [
      undefined,
      await mint('not-our-key', destination, body),
      await mint(signing.currentSigningKey, 'https://evil.example/jobs/qstash', body),
      await mint(signing.currentSigningKey, destination, body, { exp: Math.floor(Date.now() / 1000) - 60 }),
    ]) expect((await deliver(signature)).status).toBe(401)
    // a body changed after signing
    expect((await deliver(await mint(signing.currentSigningKey, destination, body), JSON.stringify({ kind: 'expire-holds', payload: { x: 1 } }))).status).toBe(401)
  })

  it('is not there without QStash', async () => {
    const app = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), log: () => {} })
    expect((await app.request('/jobs/qstash', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(404)
  })
})
