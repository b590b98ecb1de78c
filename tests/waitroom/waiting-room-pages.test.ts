/**
 * The waiting room around its queue: the manager's settings (validated, audited, tenant's own only), the
 * JSON API's refusal, the automatic switch, the page's size on the wire, its Swahili, and the quiet cases.
 */
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp, TEST_CONFIG } from '../support/app.ts'
import { TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'

let db: Database
let clock: TestClock
let app: ReturnType<typeof createTestApp>['app']

beforeAll(async () => {
  db = await openTestDatabase()
  clock = new TestClock()
  ;({ app } = createTestApp(db, { now: clock.now, deps: { config: { ...TEST_CONFIG, holdsPerClient: 0 } } }))
})
afterAll(() => db.destroy())

async function signIn(email: string) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

async function sale(settings: { high_demand?: boolean; auto_queue_threshold?: number | null } = {}) {
  const tenant = await createTenant(db)
  const made = await createEvent(db, tenant.id)
  if (Object.keys(settings).length) await asSystem(db, (trx) => trx.updateTable('events').set(settings).where('id', '=', made.event.id).execute())
  return { tenant, ...made }
}

const settingsOf = (eventId: string) => asSystem(db, (trx) => trx.selectFrom('events')
  .select(['high_demand', 'admission_per_minute', 'auto_queue_threshold']).where('id', '=', eventId).executeTakeFirstOrThrow())

describe('the waiting room settings', () => {
  it('lets the event’s manager turn the queue on with a rate, audited; bad numbers get 422 and change nothing', async () => {
    const { tenant, event } = await sale()
    const manager = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    const client = await signIn(manager.email!)
    const page = await client.get(`/manage/events/${event.id}/waiting-room`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('High-demand sale')
    expect(await (await client.get(`/manage/events/${event.id}`)).text()).toContain(`/manage/events/${event.id}/waiting-room`)

    const bads: Record<string, string>[] = [{ admissionPerMinute: 'lots' }, { admissionPerMinute: '0' }, { autoQueueThreshold: '5' }]
    for (const bad of bads) {
      const res = await client.post(`/manage/events/${event.id}/waiting-room`, { highDemand: 'on', ...bad })
      expect(res.status).toBe(422)
      expect(await res.text()).toMatch(/Enter a whole number from (1 to 100000|10 to 1000000)/)
    }
    expect(await settingsOf(event.id)).toEqual({ high_demand: false, admission_per_minute: null, auto_queue_threshold: null })

    const saved = await client.post(`/manage/events/${event.id}/waiting-room`, { highDemand: 'on', admissionPerMinute: '120', autoQueueThreshold: '' })
    expect(saved.status).toBe(303)
    expect(await settingsOf(event.id)).toEqual({ high_demand: true, admission_per_minute: 120, auto_queue_threshold: null })
    const audit = await asSystem(db, (trx) => trx.selectFrom('audit_log').select(['action', 'actor_user_id', 'target_id', 'metadata'])
      .where('tenant_id', '=', tenant.id).where('action', '=', 'waiting_room_changed').execute())
    expect(audit).toEqual([{ action: 'waiting_room_changed', actor_user_id: manager.id, target_id: event.id,
      metadata: { highDemand: true, admissionPerMinute: 120, autoQueueThreshold: null } }])
  })

  it('refuses another tenant’s manager and people who are not managers', async () => {
    const { event } = await sale()
    const other = await createTenant(db)
    const outsider = await signIn((await createAccount(db, { tenantId: other.id, membership: 'manager' })).email!)
    expect((await outsider.get(`/manage/events/${event.id}/waiting-room`)).status).toBe(404)
    expect((await outsider.post(`/manage/events/${event.id}/waiting-room`, { highDemand: 'on' })).status).toBe(404)
    expect((await new TestClient(app).post(`/manage/events/${event.id}/waiting-room`, { highDemand: 'on' })).status).toBe(303)
    expect((await settingsOf(event.id)).high_demand).toBe(false)
  })
})

describe('holding while the queue runs', () => {
  it('answers the JSON API with 409 waiting_room and where the queue is', async () => {
    const { event, ticketTypes } = await sale({ high_demand: true })
    const res = await app.request(`/api/v1/events/${event.id}/reservations`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 1 }] }),
    })
    expect(res.status).toBe(409)
    expect(await res.json()).toMatchObject({ error: { code: 'waiting_room' } })
    expect(res.headers.get('location')).toBe(`/events/${event.slug}/queue`)
    expect(await asSystem(db, (trx) => trx.selectFrom('reservations').select('id').where('event_id', '=', event.id).execute())).toEqual([])
  })

  it('turns the queue on by itself once hold requests pass the event’s threshold', async () => {
    const { event, ticketTypes } = await sale({ auto_queue_threshold: 10 })
    const form = { [`qty_${ticketTypes[0]!.id}`]: '1' }
    for (let i = 0; i < 10; i++) {
      expect((await new TestClient(app).post(`/events/${event.slug}/reserve`, form)).headers.get('location')).toMatch(/^\/reservations\//)
    }
    const eleventh = await new TestClient(app).post(`/events/${event.slug}/reserve`, form)
    expect(eleventh.headers.get('location')).toBe(`/events/${event.slug}/queue`)
    expect((await settingsOf(event.id)).high_demand).toBe(true)
  })
})

describe('the queue page', () => {
  it('stays under 5 KB over the wire, headers included, in English and Swahili, and needs no script', async () => {
    const { event } = await sale({ high_demand: true })
    await asSystem(db, (trx) => trx.updateTable('events').set({ title: 'Sauti za Busara: the long festival name of the season' }).where('id', '=', event.id).execute())
    for (const lang of ['en', 'sw']) {
      const res = await app.request(`/events/${event.slug}/queue?lang=${lang}`, { headers: { 'accept-encoding': 'gzip' } })
      expect(res.status).toBe(200)
      const wire = new Uint8Array(await res.arrayBuffer())
      const headerBytes = [...res.headers].reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0)
      const body = res.headers.get('content-encoding') === 'gzip' ? wire.length : gzipSync(wire).length
      expect(body + headerBytes).toBeLessThanOrEqual(5 * 1024)
      const html = await (await app.request(`/events/${event.slug}/queue?lang=${lang}`)).text()
      expect(html).not.toContain('<script')
      expect(html).toMatch(/<head>((?!<\/head>).)*<meta http-equiv="refresh" content="\d+"/s)
      expect(html).toContain(lang === 'sw' ? 'Nafasi yako kwenye foleni' : 'Your place in the queue')
    }
    // the buyer may stop the page updating by itself, and update it by hand
    const manual = await (await app.request(`/events/${event.slug}/queue?refresh=off`)).text()
    expect(manual).not.toContain('http-equiv="refresh"')
    expect(manual).toContain('Update now')
  })

  it('spreads the refreshes of a crowd: near the front within a fifth of 5 s either way, not all alike', async () => {
    const { event } = await sale({ high_demand: true })
    const seconds = new Set<number>()
    for (let i = 0; i < 30; i++) {
      const html = await (await app.request(`/events/${event.slug}/queue`)).text()
      const refresh = Number(/<meta http-equiv="refresh" content="(\d+)"/.exec(html)?.[1])
      expect(refresh).toBeGreaterThanOrEqual(4)
      expect(refresh).toBeLessThanOrEqual(6)
      expect(html).toContain(`every ${refresh} seconds`)
      seconds.add(refresh)
    }
    expect(seconds.size).toBeGreaterThan(1)
  })

  it('says there is no queue when the event has none, and 404s an unknown event', async () => {
    const { event } = await sale()
    const res = await app.request(`/events/${event.slug}/queue`)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-queue-status')).toBe('closed')
    expect(await res.text()).toContain('There is no queue for this event right now')
    expect((await app.request('/events/no-such-event/queue')).status).toBe(404)
    expect((await app.request('/events/NOT_A_SLUG/queue')).status).toBe(404)
  })
})
