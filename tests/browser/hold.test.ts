import { describe, expect, it } from 'vitest'
import { MINUTE, TestClock } from '../support/client.ts'
import { postgresBlobStore } from '../../src/storage/blob-store.ts'
import { asSystem, createEvent, createTenant, unique } from '../support/fixtures.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

describe('a hold in a browser, on a phone', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const clock = new TestClock()
  const suite = browserSuite({ now: clock.now })

  it('picks two tickets, sees the countdown, and gets them released when the hold expires', async () => {
    const tenant = await createTenant(suite.db)
    const { event } = await createEvent(suite.db, tenant.id, {
      title: unique('Kilifi Sunset Sessions'),
      ticketTypes: [{ name: 'Regular', price_minor: 120_000, capacity: 30 }, { name: 'VIP', price_minor: 400_000, capacity: 10 }],
    })
    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    // a poster (drawn by the browser itself), shown before the tickets
    await page.setContent('<body style="margin:0;width:320px;height:240px;background:#7b2d8b;color:#fff;font:40px sans-serif;display:grid;place-items:center">Kilifi Sunset</body>')
    const poster = new Uint8Array(await page.screenshot({ clip: { x: 0, y: 0, width: 320, height: 240 } }))
    await asSystem(suite.db, async (trx) => {
      const id = await postgresBlobStore.put(trx, { tenantId: tenant.id, purpose: 'poster', contentType: 'image/png', bytes: poster, isPublic: true })
      await trx.updateTable('events').set({ poster_urls: [`/media/${id}`] }).where('id', '=', event.id).execute()
    })
    await page.goto(`${suite.server.url}/events/${event.slug}`)
    await expect.poll(() => page.locator('img.poster').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320)
    await page.locator('.tier', { hasText: 'Regular' }).getByLabel('How many').fill('2')
    await screenshot(page, 'hold-1-choose')
    await expectCleanPage(page, 'event page')
    await page.getByRole('button', { name: 'Hold my tickets' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your tickets are held')
    expect(await page.locator('.tier').first().textContent()).toContain('2 × Regular')
    const first = await page.locator('.countdown').textContent()
    expect(first).toMatch(/Time left: (10:00|9:5\d)/)
    await expect.poll(() => page.locator('.countdown').textContent(), { timeout: 5000 }).not.toBe(first)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await screenshot(page, 'hold-2-countdown')
    await expectCleanPage(page, 'hold page')

    clock.advance(10 * MINUTE + 1000)
    await page.reload()
    await expect.poll(() => page.locator('.notice').textContent()).toContain('This hold has ended')
    await screenshot(page, 'hold-3-expired')
    await expectCleanPage(page, 'hold ended')
    await page.getByRole('link', { name: 'Back to the event' }).click()
    await expect.poll(() => page.locator('.tier', { hasText: 'Regular' }).textContent()).toContain('30 left')
    await screenshot(page, 'hold-4-released')
    await expectCleanPage(page, 'event page again')
  })
})
