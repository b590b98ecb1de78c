import { describe, expect, it } from 'vitest'
import { seedDemoDataIfEmpty } from '../../src/demo/seed.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

describe('home page in a browser, on a phone', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite({ fresh: true, prepare: (db) => seedDemoDataIfEmpty(db) })

  it('renders the demo events at 360x640 without horizontal scrolling, in English and Swahili', async () => {
    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await page.goto(suite.server.url)
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upcoming events')
    const titles = await page.locator('.card h2').allTextContents()
    expect(titles).toEqual(expect.arrayContaining([
      'Nairobi Jazz Night', 'Mombasa Beach Festival', 'Nairobi Tech Summit', 'Lamu Cultural Night',
    ]))
    expect(titles).not.toContain('Benga Revival (draft)')
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(scrollWidth).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await screenshot(page, 'home-360x640-en')
    await expectCleanPage(page, 'home')

    await page.getByRole('link', { name: 'Kiswahili' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Matukio yajayo')
    await screenshot(page, 'home-360x640-sw')
    await expectCleanPage(page, 'home in Swahili')

    await page.getByRole('link', { name: 'Nairobi Jazz Night' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Nairobi Jazz Night')
    expect(await page.locator('.tier').count()).toBe(3)
    await screenshot(page, 'event-360x640-sw')
    await expectCleanPage(page, 'event page in Swahili')
    await page.close()
  })
})
