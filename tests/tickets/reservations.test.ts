import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { sha256Hex } from '../../src/lib/crypto.ts'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { idempotencyKeyIsStrong } from '../../src/tickets/idempotency-key.ts'
import { issueTickets } from '../../src/tickets/issuing.ts'
import { MINUTE, ORIGIN, TestClient, TestClock } from '../support/client.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, DAY, TEST_PASSWORD } from '../support/fixtures.ts'

let db: Database
let clock: TestClock
let app: ReturnType<typeof createTestApp>['app']

beforeAll(async () => {
  db = await openTestDatabase()
  clock = new TestClock()
  ;({ app } = createTestApp(db, { now: clock.now }))
})
afterAll(() => db.destroy())

async function saleEvent(types = [{ name: 'Regular', price_minor: 150_000, capacity: 20 }, { name: 'VIP', price_minor: 500_000, capacity: 5 }]) {
  const tenant = await createTenant(db)
  return createEvent(db, tenant.id, { ticketTypes: types })
}

function reserve(eventId: string, items: unknown, headers: Record<string, string> = {}) {
  return app.request(`/api/v1/events/${eventId}/reservations`, {
    method: 'POST', body: typeof items === 'string' ? items : JSON.stringify({ items }),
    headers: { 'content-type': 'application/json', ...headers },
  })
}

async function available(eventId: string): Promise<Record<string, number>> {
  const body = await (await app.request(`/api/v1/events/${eventId}`)).json() as { ticketTypes: Array<{ name: string; available: number }> }
  return Object.fromEntries(body.ticketTypes.map((type) => [type.name, type.available]))
}

describe('holding tickets', () => {
  it('holds tickets for the event’s hold time and answers with the reservation and its token', async () => {
    const { event, ticketTypes } = await saleEvent()
    const res = await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }, { ticketTypeId: ticketTypes[1]!.id, quantity: 1 }])
    expect(res.status).toBe(201)
    const body = await res.json() as { id: string; status: string; expiresAt: string; total: unknown; token: string; items: unknown[] }
    expect(body).toMatchObject({
      status: 'held', expiresAt: new Date(clock.current.getTime() + 10 * MINUTE).toISOString(),
      total: { amountMinor: 800_000, currency: 'KES' },
    })
    expect(body.items).toHaveLength(2)
    expect(body.token.length).toBeGreaterThanOrEqual(43)
    expect(res.headers.get('location')).toBe(`/api/v1/reservations/${body.id}`)
    expect(await available(event.id)).toEqual({ Regular: 18, VIP: 4 })

    const mine = await app.request(`/api/v1/reservations/${body.id}`, { headers: { authorization: `Bearer ${body.token}` } })
    expect(mine.status).toBe(200)
    expect(await mine.json()).toMatchObject({ id: body.id, status: 'held', tickets: [] })
    for (const authorization of ['', 'Bearer wrong-token', `Basic ${body.token}`]) {
      expect((await app.request(`/api/v1/reservations/${body.id}`, { headers: { authorization } })).status).toBe(404)
    }
  })

  it('frees the tickets of an expired hold at its exact expiry, with no job having run', async () => {
    const { event, ticketTypes } = await saleEvent([{ name: 'Regular', price_minor: 100_000, capacity: 4 }])
    const first = await (await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 4 }])).json() as { id: string; token: string }
    clock.advance(10 * MINUTE - 1000)
    expect((await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }])).status).toBe(409)
    expect(await available(event.id)).toEqual({ Regular: 0 })
    clock.advance(1000)
    expect(await available(event.id)).toEqual({ Regular: 4 })
    expect((await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 4 }])).status).toBe(201)
    const old = await app.request(`/api/v1/reservations/${first.id}`, { headers: { authorization: `Bearer ${first.token}` } })
    expect(await old.json()).toMatchObject({ status: 'expired', items: [] })
  })

  it('holds all or nothing: if one type is short, nothing is held', async () => {
    const { event, ticketTypes } = await saleEvent()
    const res = await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 3 }, { ticketTypeId: ticketTypes[1]!.id, quantity: 6 }])
    expect(res.status).toBe(409)
    expect(await res.json()).toEqual({ error: { code: 'sold_out', message: expect.stringContaining('Not enough VIP tickets are left') } })
    expect(await available(event.id)).toEqual({ Regular: 20, VIP: 5 })
    expect(await asSystem(db, async (trx) => (await trx.selectFrom('reservations').select('id').where('event_id', '=', event.id).execute()).length)).toBe(0)
  })
})

/** A random Idempotency-Key of 128 bits, as clients are asked to send. */
const strongKey = () => crypto.randomUUID().replace(/-/g, '')
const randomBytes = (size: number) => crypto.getRandomValues(new Uint8Array(size))
const randomBase64UrlKey = (size = 16) => Buffer.from(randomBytes(size)).toString('base64url')
const randomHexKey = (size = 16) => Buffer.from(randomBytes(size)).toString('hex')

async function signedIn() {
  const client = new TestClient(app)
  const account = await createAccount(db)
  expect((await client.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).toBe(303)
  const cookie = [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
  return { account, headers: { cookie, origin: ORIGIN } }
}

const idempotencyRows = (tenantId: string) => asSystem(db, (trx) => trx.selectFrom('idempotency_keys').selectAll()
  .where('tenant_id', '=', tenantId).execute())

describe('idempotency', () => {
  it(`answers a repeated request with the same Idempotency-Key with the same reservation and token, holding once; replays are 200 ${concurrencyNote}`, async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }]
    const key = strongKey()
    const answers = await Promise.all(Array.from({ length: 5 }, () => reserve(event.id, items, { 'idempotency-key': key })))
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 200, 200, 201])
    const bodies = await Promise.all(answers.map((res) => res.json() as Promise<{ id: string; token: string }>))
    expect(new Set(bodies.map((body) => body.id)).size).toBe(1)
    expect(new Set(bodies.map((body) => body.token)).size).toBe(1)
    expect(bodies[0]!.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // the replayed token is the reservation's own
    const mine = await app.request(`/api/v1/reservations/${bodies[0]!.id}`, { headers: { authorization: `Bearer ${bodies[0]!.token}` } })
    expect(mine.status).toBe(200)
    expect(await available(event.id)).toEqual({ Regular: 18, VIP: 5 })
    const other = await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 3 }], { 'idempotency-key': key })
    expect(other.status).toBe(422)
    expect((await other.json() as { error: { code: string } }).error.code).toBe('idempotency_key_reused')
    expect((await reserve(event.id, items, { 'idempotency-key': strongKey() })).status).toBe(201)
    expect(await available(event.id)).toEqual({ Regular: 16, VIP: 5 })
  })

  it('stores neither the key nor the token in plain text: the key as its SHA-256, the answer without a token', async () => {
    const { event, ticketTypes } = await saleEvent()
    const key = strongKey()
    const res = await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }], { 'idempotency-key': key })
    const { token, id } = await res.json() as { token: string; id: string }
    const rows = await idempotencyRows(event.tenant_id)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.key).toBe(await sha256Hex(key))
    expect(rows[0]!.response_body).toMatchObject({ id })
    const stored = JSON.stringify(rows)
    expect(stored).not.toContain(token)
    expect(stored).not.toContain(key)
    expect(stored).not.toContain('"token"')
  })

  it('scopes keys to the caller: another person replaying a signed-in buyer’s key and body gets nothing of theirs', async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }]
    const key = strongKey()
    const buyer = await signedIn()
    const first = await reserve(event.id, items, { ...buyer.headers, 'idempotency-key': key })
    expect(first.status).toBe(201)
    const theirs = await first.json() as { id: string; token: string }
    // the same buyer replays: the same reservation and token
    const replay = await reserve(event.id, items, { ...buyer.headers, 'idempotency-key': key })
    expect(replay.status).toBe(200)
    expect(await replay.json()).toMatchObject({ id: theirs.id, token: theirs.token })
    // an anonymous caller, and another signed-in person, with the same key and body: a hold of their own
    for (const headers of [{}, (await signedIn()).headers]) {
      const stranger = await reserve(event.id, items, { ...headers, 'idempotency-key': key })
      expect(stranger.status).toBe(201)
      const body = await stranger.json() as { id: string; token: string }
      expect(body.id).not.toBe(theirs.id)
      expect(body.token).not.toBe(theirs.token)
      const peek = await app.request(`/api/v1/reservations/${theirs.id}`, { headers: { authorization: `Bearer ${body.token}` } })
      expect(peek.status).toBe(404)
    }
  })

  it.each([
    ['a short word', 'tap-123'],
    ['21 base64url characters', 'AbCdEfGhIjKlMnOpQrStU'],
    ['31 hexadecimal digits (124 bits)', '0123456789abcdef0123456789abcde'],
    ['one character repeated', 'a'.repeat(40)],
    ['punctuation outside base64url', 'Zx9_-Qw3Er5Ty7Ui8Op0As!?'],
    ['letters in sequence', 'abcdefghijklmnopqrstuv'],
    ['hexadecimal digits in sequence', '0123456789abcdef0123456789abcdef'],
    ['a descending sequence inside', 'Qz7_zyxwvutsrqponK2m9X'],
    ['one piece repeated', 'Xq7_Lm2pXq7_Lm2pXq7_Lm2p'],
    ['an order number with a date and a counter', 'order-2026-12-01-000001'],
    ['words and numbers', 'user-42-checkout-attempt-1'],
    ['a time-based (version 1) UUID', 'c232ab00-9414-11ec-b3c8-9f6bdeced846'],
    ['a version 7 UUID (a timestamp, 74 random bits)', '01890a5d-ac96-774b-bcce-b302099a8057'],
    ['a name-based (version 5) UUID', '2ed6657d-e927-568b-95e1-2665a8aea6a2'],
    ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
    ['a version 4 UUID made of a sequence', '01234567-89ab-4cde-8f01-23456789abcd'],
  ])('refuses %s as an Idempotency-Key with 422 and a clear message, in English and Swahili, anonymous or signed in', async (_case, key) => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }]
    const en = await reserve(event.id, items, { 'idempotency-key': key })
    expect(en.status).toBe(422)
    expect(await en.json()).toEqual({ error: { code: 'weak_idempotency_key', message: expect.stringContaining('at least 128 bits') } })
    const sw = await reserve(event.id, items, { 'idempotency-key': key, 'accept-language': 'sw' })
    expect(await sw.json()).toEqual({ error: { code: 'weak_idempotency_key', message: expect.stringContaining('angalau biti 128') } })
    expect((await reserve(event.id, items, { ...(await signedIn()).headers, 'idempotency-key': key })).status).toBe(422)
    expect(await available(event.id)).toEqual({ Regular: 20, VIP: 5 })
  })

  it('accepts random keys: 32 hexadecimal digits, 22 base64url characters, a version 4 UUID', async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }]
    const weak = await reserve(event.id, items, { 'idempotency-key': 'tap-123' })
    expect((await weak.json() as { error: { message: string } }).error.message).toContain('at least 128 bits')
    for (const key of [randomHexKey(), randomBase64UrlKey(), crypto.randomUUID(), crypto.randomUUID().toUpperCase(),
      'Zx9_-Qw3Er5Ty7Ui8Op0As', 'c8Jq0yZ3vT1mX9pL4rW7sA']) {
      expect((await reserve(event.id, items, { 'idempotency-key': key })).status, key).toBe(201)
    }
  })

  it('never refuses a key from a cryptographic generator: 200 each of base64url and hex of 16 random bytes, and crypto.randomUUID()', () => {
    const keys = Array.from({ length: 200 }, () => [randomBase64UrlKey(), randomHexKey(), crypto.randomUUID()]).flat()
    expect(keys).toHaveLength(600)
    expect(keys.filter((key) => !idempotencyKeyIsStrong(key))).toEqual([])
    // longer random keys too (32 bytes, as base64url and hex)
    const longer = Array.from({ length: 100 }, () => [randomBase64UrlKey(32), randomHexKey(32)]).flat()
    expect(longer).toHaveLength(200)
    expect(longer.filter((key) => !idempotencyKeyIsStrong(key))).toEqual([])
    // a label in front of a random part, even one that came out all digits
    const digits = () => Array.from(randomBytes(32), (byte) => String(byte % 10)).join('')
    const labelled = Array.from({ length: 50 }, () => [`order-42-${randomHexKey()}`, `order-42-${digits()}`, `checkout_2026_${crypto.randomUUID()}`]).flat()
    expect(labelled).toHaveLength(150)
    expect(labelled.filter((key) => !idempotencyKeyIsStrong(key))).toEqual([])
  })

  it('answers a replay with the reservation as it is now: an expired hold replays as expired, as its GET says', async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }]
    const key = strongKey()
    const first = await reserve(event.id, items, { 'idempotency-key': key })
    expect(first.status).toBe(201)
    const { id, token } = await first.json() as { id: string; token: string }
    const now = async () => (await app.request(`/api/v1/reservations/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()
    const held = await reserve(event.id, items, { 'idempotency-key': key })
    expect(held.status).toBe(200)
    expect(await held.json()).toEqual({ ...await now() as object, token })
    clock.advance(10 * MINUTE)
    const replay = await reserve(event.id, items, { 'idempotency-key': key })
    expect(replay.status).toBe(200)
    const body = await replay.json() as { status: string; items: unknown[] }
    expect(body).toMatchObject({ id, status: 'expired', items: [] })
    expect(body).toEqual({ ...await now() as object, token })
    // the replay held nothing again: the expired hold's tickets are all on sale
    expect(await available(event.id)).toEqual({ Regular: 20, VIP: 5 })
  })

  it('answers a replay of a paid hold as paid, with its tickets and their codes, as its GET does', async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }]
    const key = strongKey()
    const { id, token } = await (await reserve(event.id, items, { 'idempotency-key': key })).json() as { id: string; token: string }
    const ticketIds = await issueTickets(db, await parseKeyRing(newKeyEntry('k1')), id, clock.current)
    const replay = await reserve(event.id, items, { 'idempotency-key': key })
    expect(replay.status).toBe(200)
    const body = await replay.json() as { status: string; tickets: Array<{ id: string; code: string }> }
    expect(body.status).toBe('paid')
    expect(body.tickets.map((ticket) => ticket.id).sort()).toEqual([...ticketIds].sort())
    for (const ticket of body.tickets) expect(ticket.code).toMatch(/\S{20,}/)
    const shown = await (await app.request(`/api/v1/reservations/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()
    expect(body).toEqual({ ...shown as object, token })
  })

  it('treats a key past its 24 hours as unused: the same key then makes a new hold', async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }]
    const key = strongKey()
    const first = await (await reserve(event.id, items, { 'idempotency-key': key })).json() as { id: string }
    clock.advance(24 * 60 * MINUTE + 1)
    const later = await reserve(event.id, items, { 'idempotency-key': key })
    expect(later.status).toBe(201)
    expect((await later.json() as { id: string }).id).not.toBe(first.id)
  })
})

describe('open holds per client (a cap, so one client cannot hold a whole type)', () => {
  const from = (address: string) => ({ 'cf-connecting-ip': address })
  const address = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}:${crypto.randomUUID()}`

  it('refuses a sixth open hold from one address with 429 in the caller’s language; other addresses, and the same one after expiry, hold', async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }]
    const mine = address()
    for (let i = 0; i < 5; i++) expect((await reserve(event.id, items, from(mine))).status).toBe(201)
    const sixth = await reserve(event.id, items, from(mine))
    expect(sixth.status).toBe(429)
    expect(await sixth.json()).toEqual({ error: { code: 'too_many_holds', message: expect.stringContaining('in 5 unpaid holds') } })
    const sw = await reserve(event.id, items, { ...from(mine), 'accept-language': 'sw' })
    expect((await sw.json() as { error: { message: string } }).error.message).toContain('nafasi 5 ambazo hazijalipiwa')
    expect(await available(event.id)).toEqual({ Regular: 10, VIP: 5 })
    expect((await reserve(event.id, items, from(address()))).status).toBe(201)
    // the cap is per event
    const other = await saleEvent()
    expect((await reserve(other.event.id, [{ ticketTypeId: other.ticketTypes[0]!.id, quantity: 1 }], from(mine))).status).toBe(201)
    clock.advance(10 * MINUTE)
    expect((await reserve(event.id, items, from(mine))).status).toBe(201)
  })

  it('counts a signed-in buyer’s holds whatever their address, and still answers a replay at the cap', async () => {
    const { event, ticketTypes } = await saleEvent()
    const items = [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }]
    const buyer = await signedIn()
    const key = strongKey()
    expect((await reserve(event.id, items, { ...buyer.headers, ...from(address()), 'idempotency-key': key })).status).toBe(201)
    for (let i = 0; i < 4; i++) expect((await reserve(event.id, items, { ...buyer.headers, ...from(address()) })).status).toBe(201)
    expect((await reserve(event.id, items, { ...buyer.headers, ...from(address()) })).status).toBe(429)
    expect((await reserve(event.id, items, { ...buyer.headers, 'idempotency-key': key })).status).toBe(200)
  })

  it('lets exactly five of twelve parallel holds from one address through (really parallel on Postgres; PGlite runs them one at a time)', async () => {
    const { event, ticketTypes } = await saleEvent()
    const mine = address()
    const answers = await Promise.all(Array.from({ length: 12 }, () => reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }], from(mine))))
    expect(answers.map((res) => res.status).sort()).toEqual([...Array(5).fill(201), ...Array(7).fill(429)])
    expect(await available(event.id)).toEqual({ Regular: 15, VIP: 5 })
  })
})

describe('bad requests', () => {
  it.each([
    ['a quantity of zero', (t: string[]) => [{ ticketTypeId: t[0], quantity: 0 }], 422, 'invalid_request'],
    ['a negative quantity', (t: string[]) => [{ ticketTypeId: t[0], quantity: -1 }], 422, 'invalid_request'],
    ['a fractional quantity', (t: string[]) => [{ ticketTypeId: t[0], quantity: 1.5 }], 422, 'invalid_request'],
    ['a quantity as text', (t: string[]) => [{ ticketTypeId: t[0], quantity: '2' }], 422, 'invalid_request'],
    ['more than the per-order maximum', (t: string[]) => [{ ticketTypeId: t[0], quantity: 11 }], 422, 'over_max_per_order'],
    ['no items', () => [], 422, 'invalid_request'],
    ['the same type twice', (t: string[]) => [{ ticketTypeId: t[0], quantity: 1 }, { ticketTypeId: t[0], quantity: 1 }], 422, 'invalid_request'],
    ['an unknown type', () => [{ ticketTypeId: '00000000-0000-4000-8000-000000000000', quantity: 1 }], 422, 'unknown_ticket_type'],
    ['a type id that is not a uuid', () => [{ ticketTypeId: 'vip', quantity: 1 }], 422, 'invalid_request'],
  ])('refuses %s, holding nothing', async (_case, items, status, code) => {
    const { event, ticketTypes } = await saleEvent()
    const res = await reserve(event.id, items(ticketTypes.map((type) => type.id)))
    expect(res.status).toBe(status)
    expect((await res.json() as { error: { code: string } }).error.code).toBe(code)
    expect(await available(event.id)).toEqual({ Regular: 20, VIP: 5 })
  })

  it('refuses a type of another event, malformed JSON and a bad Idempotency-Key', async () => {
    const { event } = await saleEvent()
    const other = await saleEvent()
    expect((await (await reserve(event.id, [{ ticketTypeId: other.ticketTypes[0]!.id, quantity: 1 }])).json() as { error: { code: string } }).error.code)
      .toBe('unknown_ticket_type')
    expect((await reserve(event.id, '{"items": [')).status).toBe(422)
    const spaced = await reserve(event.id, [{ ticketTypeId: other.ticketTypes[0]!.id, quantity: 1 }], { 'idempotency-key': 'has space in it, 128 bits or not' })
    expect([spaced.status, (await spaced.json() as { error: { code: string } }).error.code]).toEqual([422, 'invalid_idempotency_key'])
    expect(await available(other.event.id)).toEqual({ Regular: 20, VIP: 5 })
  })

  it('refuses closed and not-yet-open sales windows, and events that are not selling', async () => {
    const { event, ticketTypes } = await saleEvent()
    await asSystem(db, async (trx) => {
      await trx.updateTable('ticket_types').set({ sales_end: new Date(clock.current.getTime() - 1) }).where('id', '=', ticketTypes[0]!.id).execute()
      await trx.updateTable('ticket_types').set({ sales_start: new Date(clock.current.getTime() + DAY) }).where('id', '=', ticketTypes[1]!.id).execute()
    })
    const closed = await reserve(event.id, [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }])
    expect([closed.status, ((await closed.json()) as { error: { code: string } }).error.code]).toEqual([409, 'sales_closed'])
    const early = await reserve(event.id, [{ ticketTypeId: ticketTypes[1]!.id, quantity: 1 }])
    expect([early.status, ((await early.json()) as { error: { code: string } }).error.code]).toEqual([409, 'sales_not_started'])

    const cancelled = await saleEvent()
    await asSystem(db, (trx) => trx.updateTable('events').set({ status: 'cancelled' }).where('id', '=', cancelled.event.id).execute())
    expect((await reserve(cancelled.event.id, [{ ticketTypeId: cancelled.ticketTypes[0]!.id, quantity: 1 }])).status).toBe(409)
    const tenant = await createTenant(db)
    const draft = await createEvent(db, tenant.id, { status: 'draft' })
    expect((await reserve(draft.event.id, [{ ticketTypeId: draft.ticketTypes[0]!.id, quantity: 1 }])).status).toBe(404)
    expect((await reserve('not-a-uuid', [])).status).toBe(404)
  })

  it('answers Swahili readers in Swahili', async () => {
    const { event, ticketTypes } = await saleEvent()
    const res = await reserve(event.id, [{ ticketTypeId: ticketTypes[1]!.id, quantity: 6 }], { 'accept-language': 'sw' })
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('Tiketi za VIP zilizobaki hazitoshi')
  })
})

describe('a small flash sale (invariant 1)', () => {
  it(`never holds more than capacity, gives each buyer exactly what they asked for, and leaves nothing sellable ${concurrencyNote}`, async () => {
    const { event, ticketTypes } = await saleEvent([
      { name: 'Regular', price_minor: 100_000, capacity: 150 }, { name: 'VIP', price_minor: 300_000, capacity: 50 },
    ])
    const buyers = 1000
    let next = 0
    // what each buyer told of a hold asked for: reservation id → "type:quantity"
    const asked = new Map<string, string>()
    const refused: number[] = []
    await Promise.all(Array.from({ length: 40 }, async () => {
      while (next < buyers) {
        const i = next++
        const type = ticketTypes[i % 4 === 0 ? 1 : 0]!
        const quantity = 1 + (i % 4)
        const res = await reserve(event.id, [{ ticketTypeId: type.id, quantity }])
        if (res.status === 201) asked.set(((await res.json()) as { id: string }).id, `${type.name}:${quantity}`)
        else refused.push(res.status)
      }
    }))
    expect(asked.size + refused.length).toBe(buyers)
    expect(new Set(refused)).toEqual(new Set([409]))
    const rows = await asSystem(db, (trx) => trx.selectFrom('tickets as t').innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
      .select(['t.reservation_id', 'tt.name']).where('t.event_id', '=', event.id).where('t.status', '=', 'pending_payment').execute())
    // each claimed row belongs to a hold someone was told about, and each hold has exactly the type and number asked for
    const got = new Map<string, string>()
    for (const row of rows) {
      const [name, count] = (got.get(row.reservation_id!) ?? `${row.name}:0`).split(':')
      expect(name).toBe(row.name)
      got.set(row.reservation_id!, `${name}:${Number(count) + 1}`)
    }
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(asked))
    const heldOf = (name: string) => rows.filter((row) => row.name === name).length
    expect(heldOf('VIP')).toBe(50)
    expect(heldOf('Regular')).toBeLessThanOrEqual(150)
    // VIP buyers ask for 1 each, Regular buyers for 2 to 4: nothing sellable is left unsold
    const left = await available(event.id)
    expect(left.VIP).toBe(0)
    expect(left.Regular).toBeLessThan(2)
    expect(left.Regular! + heldOf('Regular')).toBe(150)
  })
})
