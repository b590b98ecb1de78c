import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createReservation } from '../../src/tickets/reservations.ts'
import { TestClock } from '../support/client.ts'
import { asSystem, createEvent, createTenant, unique } from '../support/fixtures.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

describe('the waiting room in a browser, on a phone', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const clock = new TestClock()
  const suite = browserSuite({ now: clock.now })

  async function queuedSale() {
    const tenant = await createTenant(suite.db)
    const { event } = await createEvent(suite.db, tenant.id, {
      title: unique('Koroga Festival'), ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 40 }],
    })
    await asSystem(suite.db, (trx) => trx.updateTable('events').set({ high_demand: true, admission_per_minute: 60 }).where('id', '=', event.id).execute())
    // two people are in the queue first
    for (let i = 0; i < 2; i++) await (await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })).goto(`${suite.server.url}/events/${event.slug}/queue`)
    return event
  }

  const place = (page: Page) => page.locator('.queue-position').textContent({ timeout: 1000 }).catch(() => null)

  for (const javaScriptEnabled of [true, false]) {
    it(`shows the place moving by itself, admits the buyer, who holds (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async () => {
      const event = await queuedSale()
      const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT, javaScriptEnabled })
      const name = `waiting-room-js-${javaScriptEnabled ? 'on' : 'off'}`
      // holding straight away is not possible: the buyer is sent to the queue
      await page.goto(`${suite.server.url}/events/${event.slug}`)
      await page.locator('.tier', { hasText: 'Regular' }).getByLabel('How many').fill('2')
      await page.getByRole('button', { name: 'Hold my tickets' }).click()
      await expect.poll(() => page.url()).toContain(`/events/${event.slug}/queue`)
      expect(await place(page)).toBe('Your place in the queue: 3')
      expect(await page.locator('.queue').textContent()).toContain('Tickets left: 40')
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
      await screenshot(page, `${name}-1-queued`)
      // the page refreshes itself, as a queue page must without JavaScript; it offers to stop (WCAG 2.2.1)
      if (javaScriptEnabled) await expectCleanPage(page, 'queue page', { allow: ['meta-refresh'] })
      expect(await page.getByRole('link', { name: 'Stop updating by itself' }).getAttribute('href')).toBe(`/events/${event.slug}/queue?refresh=off`)

      // a second passes: one place admitted; the page refreshes itself and shows the new place
      clock.advance(1000)
      await expect.poll(() => place(page), { timeout: 12_000, interval: 500 }).toBe('Your place in the queue: 2')
      await screenshot(page, `${name}-2-moved`)
      clock.advance(2000)
      await expect.poll(() => page.locator('.queue').textContent(), { timeout: 12_000, interval: 500 }).toContain('It is your turn')
      await screenshot(page, `${name}-3-admitted`)

      await page.getByRole('link', { name: 'Choose tickets' }).click()
      await page.locator('.tier', { hasText: 'Regular' }).getByLabel('How many').fill('2')
      await page.getByRole('button', { name: 'Hold my tickets' }).click()
      await expect.poll(() => page.locator('h1').textContent()).toBe('Your tickets are held')
      await screenshot(page, `${name}-4-held`)
      if (javaScriptEnabled) await expectCleanPage(page, 'hold page after the queue')
    })
  }

  it('tells a newcomer plainly when every ticket is held by buyers paying, without giving a place', async () => {
    const tenant = await createTenant(suite.db)
    const { event, ticketTypes } = await createEvent(suite.db, tenant.id, {
      title: unique('Blankets and Wine'), ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 2 }],
    })
    await asSystem(suite.db, (trx) => trx.updateTable('events').set({ high_demand: true, admission_per_minute: 60 }).where('id', '=', event.id).execute())
    await createReservation(suite.db, { eventId: event.id, items: [{ ticketTypeId: ticketTypes[0]!.id, quantity: 2 }], userId: null, now: clock.now() })
    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await page.goto(`${suite.server.url}/events/${event.slug}/queue`)
    const queue = page.locator('.queue')
    expect(await queue.textContent()).toContain('it gives you a place in the queue as soon as they do')
    expect(await queue.textContent()).toContain('Tickets left: 0')
    expect(await queue.textContent()).not.toContain('keeps your place')
    expect(await page.locator('.queue-position').count()).toBe(0)
    expect(await page.getByRole('link', { name: /waiting list/ }).getAttribute('href')).toBe(`/events/${event.slug}/waiting-list`)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await expectCleanPage(page, 'queue page, every ticket held', { allow: ['meta-refresh'] })
    await screenshot(page, 'waiting-room-all-held')
  })
})
