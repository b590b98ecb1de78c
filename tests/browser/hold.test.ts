import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { MINUTE, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { createEvent, createTenant, unique } from '../support/fixtures.ts'
import { launchChromium, PHONE_VIEWPORT, screenshot, serveApp, type RunningServer } from './harness.ts'

describe('a hold in a browser, on a phone', () => {
  let db: Database
  let server: RunningServer
  let browser: Browser
  const clock = new TestClock()

  beforeAll(async () => {
    db = await openTestDatabase()
    server = await serveApp(db, { now: clock.now })
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await db?.destroy()
  })

  it('picks two tickets, sees the countdown, and gets them released when the hold expires', async () => {
    const tenant = await createTenant(db)
    const { event } = await createEvent(db, tenant.id, {
      title: unique('Kilifi Sunset Sessions'),
      ticketTypes: [{ name: 'Regular', price_minor: 120_000, capacity: 30 }, { name: 'VIP', price_minor: 400_000, capacity: 10 }],
    })
    const page = await (await browser.newContext({ viewport: PHONE_VIEWPORT })).newPage()
    await page.goto(`${server.url}/events/${event.slug}`)
    await page.locator('.tier', { hasText: 'Regular' }).getByLabel('How many').fill('2')
    await screenshot(page, 'hold-1-choose')
    await page.getByRole('button', { name: 'Hold my tickets' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your tickets are held')
    expect(await page.locator('.tier').first().textContent()).toContain('2 × Regular')
    const first = await page.locator('.countdown').textContent()
    expect(first).toMatch(/Time left: (10:00|9:5\d)/)
    await expect.poll(() => page.locator('.countdown').textContent(), { timeout: 5000 }).not.toBe(first)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await screenshot(page, 'hold-2-countdown')

    clock.advance(10 * MINUTE + 1000)
    await page.reload()
    await expect.poll(() => page.locator('.notice').textContent()).toContain('This hold has ended')
    await screenshot(page, 'hold-3-expired')
    await page.getByRole('link', { name: 'Back to the event' }).click()
    await expect.poll(() => page.locator('.tier', { hasText: 'Regular' }).textContent()).toContain('30 left')
    await screenshot(page, 'hold-4-released')
  })
})
