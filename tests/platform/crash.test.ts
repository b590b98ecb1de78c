/**
 * kill -9 of the Deno server in the middle of a sale, then a restart: nothing is oversold, and no
 * reservation is half-made (every reservation, told to its buyer or not, holds exactly the tickets it was
 * made for). Runs the real `npm start` server on a database that starts empty (so it loads the demo
 * data): an embedded database in a scratch folder, or this test file's own Postgres database when
 * TEST_DATABASE_URL is set. The rush asks for more tickets than are left, so an oversell could show.
 */
import { PGlite } from '@electric-sql/pglite'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, describe, expect, it } from 'vitest'
import { concurrencyNote, onPostgres, testDatabaseUrl } from '../support/database.ts'

const port = 8900 + Math.floor(Math.random() * 90)
const base = `http://127.0.0.1:${port}`
const dataDir = mkdtempSync(join(tmpdir(), 'ticketing-crash-'))
let server: ChildProcess | undefined

// the binary itself, never a wrapper script: SIGKILL must hit the server, not a parent that leaves it orphaned
const DENO = existsSync('node_modules/deno/deno') ? 'node_modules/deno/deno' : 'node_modules/.bin/deno'

async function start(): Promise<ChildProcess> {
  const databaseUrl = onPostgres ? await testDatabaseUrl() : ''
  return spawn(DENO, ['run', '-A', 'src/platform/deno/main.ts'], {
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: databaseUrl, APP_ENV: 'development', DARAJA_SIMULATOR: 'off',
      // many holds from one address: this test is about the kill, not the per-client cap
      HOLDS_PER_CLIENT: '0' },
    stdio: 'ignore',
  })
}

async function ready() {
  for (let i = 0; i < 240; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return
    } catch {}
    await sleep(250)
  }
  throw new Error('the server did not start')
}

async function kill(child: ChildProcess) {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGKILL')
  await exited
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  return (await fetch(`${base}${path}`, init)).json() as Promise<T>
}

function hold(eventId: string, ticketTypeId: string, quantity: number, label: string) {
  // an anonymous caller's idempotency key is its own secret: random, as a real client makes it
  const key = `${label}-${crypto.randomUUID().replace(/-/g, '')}`
  return fetch(`${base}/api/v1/events/${eventId}/reservations`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({ items: [{ ticketTypeId, quantity }] }),
  })
}

/** What the database itself says, read after the server is gone (PGlite allows one process at a time). */
async function databaseRows(query: string, params: unknown[]): Promise<Array<Record<string, unknown>>> {
  if (onPostgres) {
    const { default: postgres } = await import('postgres')
    const sql = postgres(await testDatabaseUrl(), { max: 1, onnotice: () => {} })
    try {
      return [...await sql.unsafe(query, params as never[])]
    } finally {
      await sql.end()
    }
  }
  const pg = new PGlite({ dataDir })
  try {
    return (await pg.query<Record<string, unknown>>(query, params)).rows
  } finally {
    await pg.close()
  }
}

afterAll(async () => {
  if (server && server.exitCode === null && server.signalCode === null) await kill(server)
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(`${dataDir}-secrets.keys`, { force: true })
})

type Detail = { ticketTypes: Array<{ id: string; capacity: number; available: number; maxPerOrder: number }> }
type Hold = { id: string; token: string; items: Array<{ quantity: number }> }

describe('a server killed mid-sale', () => {
  it(`oversells nothing and leaves every hold whole after a restart ${concurrencyNote}`, async () => {
    server = await start()
    await ready()
    const { events } = await json<{ events: Array<{ id: string }> }>(`/api/v1/events?q=${encodeURIComponent('Lamu Cultural Night')}`)
    expect(events).toHaveLength(1)
    const lamu = events[0]!.id
    const type = (await json<Detail>(`/api/v1/events/${lamu}`)).ticketTypes[0]!
    expect(type.available).toBe(type.capacity)

    // hold all but 20 tickets before the rush, so the rush asks for far more than is left
    const LEFT = 20
    let before = type.capacity
    for (let i = 0; before > LEFT; i++) {
      const quantity = Math.min(type.maxPerOrder, before - LEFT)
      expect((await hold(lamu, type.id, quantity, `crash-before-${i}`)).status).toBe(201)
      before -= quantity
    }
    expect((await json<Detail>(`/api/v1/events/${lamu}`)).ticketTypes[0]!.available).toBe(LEFT)

    // a rush of 150 holds (300 tickets asked for), and a kill once the first answers are back
    let answeredSoFar = 0
    const requested = Array.from({ length: 150 }, (_, i) => 1 + (i % 3))
    const rush = requested.map((quantity, i) =>
      hold(lamu, type.id, quantity, `crash-${i}`)
        .then(async (res) => (res.status === 201 ? { ...(await res.json()) as Hold, quantity } : res.status))
        .catch(() => 'cut off' as const)
        .finally(() => answeredSoFar++))
    while (answeredSoFar < 5) await sleep(5)
    await kill(server)
    const outcomes = await Promise.all(rush)
    const answered = outcomes.filter((outcome) => typeof outcome === 'object')
    expect(outcomes.filter((outcome) => outcome === 'cut off').length, 'the kill must land while holds are in flight').toBeGreaterThan(0)
    // the others were refused as sold out, nothing else
    expect(outcomes.filter((outcome) => typeof outcome === 'number' && outcome !== 409)).toEqual([])

    server = await start()
    await ready()
    const left = (await json<Detail>(`/api/v1/events/${lamu}`)).ticketTypes[0]!.available
    expect(left).toBeGreaterThanOrEqual(0)
    // every hold the buyer was told about survived whole: status, the quantity asked for, its total
    let told = 0
    for (const answer of answered) {
      const seen = await json<{ status: string; items: Array<{ quantity: number }>; total: { amountMinor: number } }>(
        `/api/v1/reservations/${answer!.id}`, { headers: { authorization: `Bearer ${answer!.token}` } })
      expect(seen.status).toBe('held')
      expect(seen.items).toHaveLength(1)
      expect(seen.items[0]!.quantity).toBe(answer!.quantity)
      expect(seen.total.amountMinor).toBe(answer!.quantity * 80_000)
      told += answer!.quantity
    }
    expect(told).toBeLessThanOrEqual(LEFT)
    // the sale goes on after the restart
    const more = await hold(lamu, type.id, 1, 'crash-after')
    expect(more.status).toBe(left === 0 ? 409 : 201)
    const leftAtLast = left === 0 ? 0 : left - 1
    await kill(server)

    // the database: the ticket type still has exactly its capacity of rows, the rows held are what the
    // availability shows, and every reservation (answered, cut off, or made before) holds all it was made for
    const [counts] = await databaseRows(
      `select count(*)::int as rows, count(*) filter (where reservation_id is not null and claimable_after > now())::int as held
         from tickets where ticket_type_id = $1`, [type.id])
    expect(counts).toEqual({ rows: type.capacity, held: type.capacity - leftAtLast })
    const reservations = await databaseRows(
      `select r.id, r.total_minor, count(t.id)::int as tickets, coalesce(sum(t.price_minor), 0)::int as priced
         from reservations r left join tickets t on t.reservation_id = r.id
        where r.event_id = $1 group by r.id`, [lamu])
    expect(reservations.length).toBeGreaterThan(answered.length)
    const half = reservations.filter((r) => r.tickets === 0 || r.total_minor !== r.priced)
    expect(half, 'reservations whose tickets do not match their total').toEqual([])
    const ticketsHeld = reservations.reduce((n, r) => n + (r.tickets as number), 0)
    expect(ticketsHeld).toBe(type.capacity - leftAtLast)
  }, 180_000)
})
