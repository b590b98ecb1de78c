import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
import { createEvent, createTenant, DAY } from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let logLines: string[]
let published: Awaited<ReturnType<typeof createEvent>>
let draft: Awaited<ReturnType<typeof createEvent>>
let past: Awaited<ReturnType<typeof createEvent>>
let ofSuspended: Awaited<ReturnType<typeof createEvent>>
let soldOut: Awaited<ReturnType<typeof createEvent>>

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app, logLines } = createTestApp(db))
  const tenant = await createTenant(db, { name: 'Kisumu Sounds' })
  const suspended = await createTenant(db, { status: 'suspended' })
  // starting within the hour: always among the soonest events the home page lists, even on a shared database
  const soon = new Date(Date.now() + 3600_000)
  published = await createEvent(db, tenant.id, {
    title: 'Lakeside <b>Jazz</b>', startsAt: soon,
    ticketTypes: [
      { name: 'Regular', price_minor: 150_000, capacity: 20, sold: 8 },
      { name: 'VIP', price_minor: 500_000, capacity: 5 },
    ],
  })
  draft = await createEvent(db, tenant.id, { status: 'draft', title: 'Secret Draft Gig' })
  past = await createEvent(db, tenant.id, { title: 'Last Year Gala', startsAt: new Date(Date.now() - 3 * DAY) })
  ofSuspended = await createEvent(db, suspended.id, { title: 'Suspended Organiser Show' })
  soldOut = await createEvent(db, tenant.id, {
    title: 'Full House Comedy', startsAt: soon,
    ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 10, sold: 10 }],
  })
})
afterAll(() => db.destroy())

describe('home page', () => {
  it('lists upcoming published events, each linking to its page, with the lowest price', async () => {
    const res = await app.request('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/text\/html/)
    const html = await res.text()
    expect(html).toContain(`href="/events/${published.event.slug}"`)
    expect(html).toContain('From KES 1,500')
    expect(html).toContain('Kisumu Sounds')
  })

  it('escapes what organisers typed', async () => {
    const html = await (await app.request('/')).text()
    expect(html).toContain('Lakeside &lt;b&gt;Jazz&lt;/b&gt;')
    expect(html).not.toContain('<b>Jazz</b>')
  })

  it('leaves out drafts, past events and events of suspended organisers', async () => {
    const html = await (await app.request('/')).text()
    expect(html).not.toContain(draft.event.title)
    expect(html).not.toContain(past.event.title)
    expect(html).not.toContain(ofSuspended.event.title)
  })

  it('marks a sold-out event', async () => {
    const html = await (await app.request('/')).text()
    const card = html.slice(html.indexOf(soldOut.event.title))
    expect(card.slice(0, card.indexOf('</li>'))).toContain('Sold out')
  })

  it('answers an HTMX request with the fragment only, and varies on HX-Request', async () => {
    const res = await app.request('/', { headers: { 'HX-Request': 'true' } })
    const html = await res.text()
    expect(html).not.toContain('<html')
    expect(html).toContain(published.event.title.replace('<b>', '&lt;b&gt;').replace('</b>', '&lt;/b&gt;'))
    expect(res.headers.get('vary')).toMatch(/HX-Request/)
  })

  it('renders the whole page for boosted and history-restore requests', async () => {
    for (const header of ['HX-Boosted', 'HX-History-Restore-Request']) {
      const res = await app.request('/', { headers: { 'HX-Request': 'true', [header]: 'true' } })
      expect(await res.text()).toContain('<html')
    }
  })
})

describe('event page', () => {
  it('shows ticket types with prices and what is left', async () => {
    const res = await app.request(`/events/${published.event.slug}`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('KES 1,500')
    expect(html).toContain('KES 5,000')
    expect(html).toContain('12 left')
  })

  it('is a 404 page for drafts, unknown and malformed slugs', async () => {
    for (const path of [`/events/${draft.event.slug}`, '/events/no-such-event', '/events/..%2F..%2Fetc', '/events/UPPER']) {
      const res = await app.request(path)
      expect(res.status, path).toBe(404)
      expect(await res.text()).toContain('Page not found')
    }
  })
})

describe('languages', () => {
  it('switches to Swahili with ?lang=sw and remembers it in a cookie', async () => {
    const res = await app.request('/?lang=sw')
    const html = await res.text()
    expect(html).toContain('<html lang="sw"')
    expect(html).toContain('Matukio yajayo')
    expect(html).toContain('Kuanzia KES 1,500')
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/lang=sw/)
    const again = await app.request('/', { headers: { cookie: 'lang=sw' } })
    expect(await again.text()).toContain('Matukio yajayo')
  })

  it('follows Accept-Language when nothing was chosen', async () => {
    const res = await app.request('/', { headers: { 'accept-language': 'sw-KE,sw;q=0.9,en;q=0.5' } })
    expect(await res.text()).toContain('Matukio yajayo')
    expect(res.headers.get('content-language')).toBe('sw')
    // caches keep the languages apart
    expect(res.headers.get('vary')).toMatch(/Accept-Language, Cookie/)
  })

  it('ignores an unknown language and keeps English', async () => {
    const res = await app.request('/?lang=xx', { headers: { cookie: 'lang=zz' } })
    expect(await res.text()).toContain('Upcoming events')
    expect(res.headers.get('set-cookie')).toBeNull()
  })

  it('shows the 404 page in Swahili too', async () => {
    const res = await app.request('/hakuna?lang=sw')
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('Ukurasa haupatikani')
  })
})

describe('errors and logs', () => {
  it('answers unknown API paths with JSON', async () => {
    const res = await app.request('/api/v1/nothing-here')
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such resource.' } })
  })

  it('turns an unexpected failure into an error page (HTML) or JSON under /api/, with a reference', async () => {
    const { app: failing, logLines: lines } = createTestApp(db)
    failing.get('/explode', () => { throw new Error('kaboom') })
    failing.get('/api/explode', () => { throw new Error('kaboom') })
    const page = await failing.request('/explode', { headers: { 'accept-language': 'sw' } })
    expect(page.status).toBe(500)
    const html = await page.text()
    expect(html).toContain('Hitilafu imetokea')
    const requestId = page.headers.get('x-request-id')!
    expect(html).toContain(requestId)
    const api = await failing.request('/api/explode')
    expect(api.status).toBe(500)
    expect(await api.json()).toMatchObject({ error: { code: 'server_error', requestId: api.headers.get('x-request-id') } })
    expect(lines.some((line) => JSON.parse(line).msg === 'unhandled error')).toBe(true)
  })

  it('answers 400, not 500, when Postgres rejects the data itself (SQLSTATE class 22)', async () => {
    const { app: failing } = createTestApp(db)
    const { sql } = await import('kysely')
    failing.get('/api/cast', async (c) => c.json(await sql`select ${'not a number'}::int as n`.execute(c.var.db)))
    failing.get('/cast', async (c) => c.json(await sql`select ${'x'.repeat(5)}::varchar(2)::int as n`.execute(c.var.db)))
    const api = await failing.request('/api/cast')
    expect(api.status).toBe(400)
    expect(await api.json()).toEqual({ error: { code: 'bad_request', message: 'The request was not valid.' } })
    expect((await failing.request('/cast')).status).toBe(400)
  })

  it('drops NUL and control characters from form input instead of failing', async () => {
    const res = await app.request('/register', {
      method: 'POST',
      headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Nul\u0000l', email: 'nul\u0000@example.test', password: 'a-long-password' }),
    })
    expect(res.status).toBeLessThan(500)
  })

  it('logs one JSON line per request with its id, and never the query string', async () => {
    const before = logLines.length
    const res = await app.request('/?reset_token=SECRET123&phone=0712345678')
    const added = logLines.slice(before)
    expect(added).toHaveLength(1)
    const entry = JSON.parse(added[0]!)
    expect(entry).toMatchObject({ msg: 'request', method: 'GET', path: '/', status: 200 })
    expect(entry.requestId).toBe(res.headers.get('x-request-id'))
    expect(added[0]).not.toContain('SECRET123')
    expect(added[0]).not.toContain('0712345678')
  })
})
