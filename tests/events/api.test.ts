import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp, TEST_CONFIG } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant, unique } from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let published: Awaited<ReturnType<typeof createEvent>>
let draft: Awaited<ReturnType<typeof createEvent>>

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
  const tenant = await createTenant(db)
  published = await createEvent(db, tenant.id, {
    title: unique('API Gala'),
    ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 20, sold: 20 }, { name: 'VIP', price_minor: 500_000, capacity: 5 }],
  })
  draft = await createEvent(db, tenant.id, { status: 'draft', title: unique('API Draft') })
})
afterAll(() => db.destroy())

describe('GET /api/v1/events', () => {
  it('lists upcoming published events with lowest price and availability', async () => {
    const res = await app.request(`/api/v1/events?q=${encodeURIComponent(published.event.title)}`)
    expect(res.status).toBe(200)
    const body = await res.json() as { events: Array<Record<string, unknown>>; limit: number }
    expect(body.limit).toBe(20)
    expect(body.events).toHaveLength(1)
    expect(body.events[0]).toMatchObject({
      id: published.event.id, title: published.event.title, minPriceMinor: 150_000, available: 5, currency: 'KES',
      url: `http://localhost/events/${published.event.slug}`,
    })
    const all = await (await app.request('/api/v1/events?limit=100')).json() as { events: Array<{ id: string }> }
    expect(all.events.map((e) => e.id)).not.toContain(draft.event.id)
  })

  it.each(['limit=0', 'limit=101', 'limit=abc', 'offset=-1', `q=${'x'.repeat(101)}`])('refuses %s with 422 JSON', async (query) => {
    const res = await app.request(`/api/v1/events?${query}`)
    expect(res.status).toBe(422)
    const body = await res.json() as { error: { code: string; message: string; fields: Record<string, string> } }
    expect(body.error.code).toBe('invalid_request')
    expect(Object.keys(body.error.fields).length).toBeGreaterThan(0)
  })
})

describe('links in the API, with a forged Host header', () => {
  it('point at the configured public origin: the event page and the posters', async () => {
    const configured = createTestApp(db, { deps: { config: { ...TEST_CONFIG, publicUrl: 'https://tikiti.example' } } }).app
    const poster = '/media/00000000-0000-4000-8000-000000000001'
    await asSystem(db, (trx) => trx.updateTable('events').set({ poster_urls: [poster] }).where('id', '=', published.event.id).execute())
    const list = await configured.request(`http://attacker.example/api/v1/events?q=${encodeURIComponent(published.event.title)}`)
    const { events } = await list.json() as { events: Array<{ url: string }> }
    expect(events.map((event) => event.url)).toEqual([`https://tikiti.example/events/${published.event.slug}`])
    const detail = await configured.request(`http://attacker.example/api/v1/events/${published.event.id}`, { headers: { host: 'attacker.example' } })
    expect((await detail.json() as { posterUrls: string[] }).posterUrls).toEqual([`https://tikiti.example${poster}`])
  })
})

describe('GET /api/v1/events/{id}', () => {
  it('gives the event with its ticket types, live availability and sales state', async () => {
    const res = await app.request(`/api/v1/events/${published.event.id}`)
    expect(res.status).toBe(200)
    const body = await res.json() as { ticketTypes: Array<{ name: string; available: number; salesState: string; priceMinor: number }>; venue: { city: string } }
    expect(body.venue.city).toBe('Nairobi')
    expect(body.ticketTypes.map((t) => [t.name, t.priceMinor, t.available, t.salesState])).toEqual([
      ['Regular', 150_000, 0, 'sold_out'], ['VIP', 500_000, 5, 'on_sale'],
    ])
  })

  it('answers 404 JSON for drafts, unknown and malformed ids, in the asker’s language', async () => {
    for (const id of [draft.event.id, '00000000-0000-4000-8000-000000000000', 'nope']) {
      const res = await app.request(`/api/v1/events/${id}`)
      expect(res.status, id).toBe(404)
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such resource.' } })
    }
    const sw = await app.request(`/api/v1/events/nope`, { headers: { 'accept-language': 'sw' } })
    expect(await sw.json()).toEqual({ error: { code: 'not_found', message: 'Rasilimali hiyo haipo.' } })
  })

  it('hides the events of a suspended organiser', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    await asSystem(db, (trx) => trx.updateTable('tenants').set({ status: 'suspended' }).where('id', '=', tenant.id).execute())
    expect((await app.request(`/api/v1/events/${event.id}`)).status).toBe(404)
  })
})

interface OpenApiDoc {
  openapi: string
  paths: Record<string, Record<string, {
    security?: Array<Record<string, string[]>>
    parameters?: Array<{ name: string; in: string; description?: string }>
    responses: Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>
  }>>
  components: { securitySchemes: Record<string, { type: string; scheme: string }> }
}

describe('the OpenAPI document', () => {
  it('is generated from the routes: every /api/v1 route the app answers is documented, and nothing else', async () => {
    const res = await app.request('/api/v1/openapi.json')
    expect(res.status).toBe(200)
    const doc = await res.json() as OpenApiDoc
    expect(doc.openapi).toBe('3.1.0')
    const routes = app.routes
      .filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL' && r.path !== '/api/v1/openapi.json')
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, '{$1}')}`)
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    expect(routes.length).toBeGreaterThanOrEqual(6)
    expect([...new Set(routes)].sort()).toEqual(documented.sort())
  })

  it('documents the reservation token, the Idempotency-Key rule and the replay answer', async () => {
    const doc = await (await app.request('/api/v1/openapi.json')).json() as OpenApiDoc
    expect(doc.components.securitySchemes.reservationToken).toMatchObject({ type: 'http', scheme: 'bearer' })
    for (const [method, path] of [['get', '/api/v1/reservations/{id}'], ['post', '/api/v1/reservations/{id}/payments'], ['get', '/api/v1/payments/{id}']] as const) {
      expect(doc.paths[path]?.[method]?.security, path).toEqual([{ reservationToken: [] }])
    }
    const hold = doc.paths['/api/v1/events/{eventId}/reservations']!.post!
    const key = hold.parameters?.find((p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key')
    expect(key?.description).toContain('at least 128 bits')
    expect(key?.description).toContain('version 4 UUID')
    expect(key?.description).toContain('`weak_idempotency_key`')
    expect(Object.keys(hold.responses)).toEqual(expect.arrayContaining(['200', '201', '404', '409', '415', '422', '429']))
    for (const code of ['invalid_request', 'unknown_ticket_type', 'over_max_per_order', 'invalid_idempotency_key', 'weak_idempotency_key', 'idempotency_key_reused']) {
      expect(hold.responses['422']!.description, code).toContain(`\`${code}\``)
    }
    for (const code of ['sold_out', 'sales_closed', 'sales_not_started', 'not_on_sale']) expect(hold.responses['409']!.description, code).toContain(`\`${code}\``)
    expect(hold.responses['429']!.description).toContain('`too_many_holds`')
    expect(hold.responses['200']!.description).toContain('as it is now')
  })
})

describe('refusing input the API’s schemas do not accept', () => {
  it('answers the error shape in the caller’s language, with the fields at fault', async () => {
    const res = await app.request('/api/v1/events?limit=abc', { headers: { 'accept-language': 'sw' } })
    expect(res.status).toBe(422)
    const body = await res.json() as { error: { code: string; message: string; fields: Record<string, string> } }
    expect(body.error).toMatchObject({ code: 'invalid_request', message: 'Ombi halikuwa sahihi.' })
    expect(Object.keys(body.error.fields)).toEqual(['limit'])
  })

  it('answers malformed JSON and other content types with a 4xx in the error shape, never a 500', async () => {
    const { ticketTypes } = published
    const url = `/api/v1/events/${published.event.id}/reservations`
    const items = JSON.stringify({ items: [{ ticketTypeId: ticketTypes[1]!.id, quantity: 1 }] })
    const cases: Array<[RequestInit, number, string, string]> = [
      [{ headers: { 'content-type': 'application/json' }, body: '{"items": [' }, 422, 'invalid_request', 'Maudhui ya ombi si JSON sahihi.'],
      [{ headers: { 'content-type': 'text/plain' }, body: items }, 415, 'unsupported_media_type', 'Tuma maudhui ya ombi kama JSON, pamoja na Content-Type: application/json.'],
      [{ headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'items=1' }, 415, 'unsupported_media_type', 'Tuma maudhui ya ombi kama JSON, pamoja na Content-Type: application/json.'],
      [{ body: items }, 415, 'unsupported_media_type', 'Tuma maudhui ya ombi kama JSON, pamoja na Content-Type: application/json.'],
      [{ headers: { 'content-type': 'application/json' } }, 422, 'invalid_request', 'Maudhui ya ombi si JSON sahihi.'],
    ]
    for (const [init, status, code, message] of cases) {
      const res = await app.request(url, { ...init, method: 'POST', headers: { ...init.headers as Record<string, string>, 'accept-language': 'sw', origin: 'http://localhost' } })
      expect([res.status, await res.json()], JSON.stringify(init)).toEqual([status, { error: { code, message } }])
    }
    const vip = await (await app.request(`/api/v1/events/${published.event.id}`)).json() as { ticketTypes: Array<{ available: number }> }
    expect(vip.ticketTypes[1]!.available).toBe(5)
  })
})
