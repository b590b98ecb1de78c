import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { formatCount } from '../../src/i18n/format.ts'
import { createTestApp } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant } from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
})
afterAll(() => db.destroy())

describe('the event page as a buyer reads it', () => {
  it('counts with thousands separators, in English and Swahili', async () => {
    expect(formatCount(1500, 'en')).toBe('1,500')
    expect(formatCount(1500, 'sw')).toBe('1,500')
    expect(formatCount(12, 'sw')).toBe('12')
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 50_000, capacity: 1500 }] })
    expect(await (await app.request(`/events/${event.slug}`)).text()).toContain('1,500 left')
    expect(await (await app.request(`/events/${event.slug}?lang=sw`)).text()).toContain('Zimebaki 1,500')
  })

  it('shows the poster before the tickets and the buy form, lazily', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id)
    await asSystem(db, (trx) => trx.updateTable('events').set({ poster_urls: ['/media/00000000-0000-4000-8000-000000000001'] })
      .where('id', '=', event.id).execute())
    const html = await (await app.request(`/events/${event.slug}`)).text()
    const poster = html.indexOf('<img class="poster"')
    expect(poster).toBeGreaterThan(html.indexOf('<h1>'))
    expect(poster).toBeLessThan(html.indexOf(`action="/events/${event.slug}/reserve"`))
    expect(html.slice(poster, html.indexOf('>', poster))).toMatch(/loading="lazy"/)
  })
})
