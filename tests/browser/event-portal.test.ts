import { describe, expect, it } from 'vitest'
import { toNairobiLocal } from '../../src/lib/nairobi-time.ts'
import { createAccount, createTenant, DAY, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

describe('event portal and buyer pages in a browser, on a phone', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite()

  it('a manager creates an event with two ticket types and publishes it; a buyer finds and opens it', async () => {
    const tenant = await createTenant(suite.db, { name: 'Eldoret Arts' })
    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    const title = unique('Rift Valley Choir Night')
    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(manager.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Eldoret Arts')
    await expectCleanPage(page, 'manage')

    await page.getByRole('link', { name: 'New event' }).first().click()
    await page.getByLabel('Title', { exact: true }).fill(title)
    await page.getByLabel('Description', { exact: true }).fill('Choirs from across the valley.')
    await page.getByLabel('Starts (Nairobi time)').fill(toNairobiLocal(new Date(Date.now() + 20 * DAY)))
    await page.getByLabel('Venue', { exact: true }).fill('Eldoret Sports Club')
    await page.getByLabel('City', { exact: true }).fill('Eldoret')
    await page.getByLabel('Total capacity').fill('400')
    await screenshot(page, 'portal-1-new-event')
    await expectCleanPage(page, 'new event')
    await page.getByRole('button', { name: 'Create event' }).click()
    await expect.poll(() => page.locator('.notice').first().textContent()).toContain('Event created as a draft')
    await expectCleanPage(page, 'manage event page')
    // ticket types are added by htmx: the page is never reloaded (this mark would be lost)
    await page.evaluate(() => Object.assign(window, { sameDocument: true }))

    const addType = async (name: string, price: string, capacity: string) => {
      const form = page.locator('form[action$="/ticket-types"]')
      if (!(await form.isVisible())) await page.getByText('Add ticket type', { exact: true }).first().click()
      await form.getByLabel('Name', { exact: true }).fill(name)
      await form.getByLabel('Price (KES)').fill(price)
      await form.getByLabel('Capacity', { exact: true }).fill(capacity)
      await form.getByRole('button', { name: 'Add ticket type' }).click()
      await expect.poll(() => page.locator('.ticket-type strong', { hasText: name }).count()).toBe(1)
    }
    await addType('Regular', '1000', '300')
    await addType('VIP', '3500', '100')
    await screenshot(page, 'portal-2-ticket-types')
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true)
    expect(await page.locator('#ticket-types .notice').textContent()).toBe('Saved.')
    await expectCleanPage(page, 'manage event page with ticket types')

    await page.getByRole('button', { name: 'Publish' }).click()
    await expect.poll(() => page.locator('[data-status]').textContent()).toBe('Published')
    await screenshot(page, 'portal-3-published')
    await expectCleanPage(page, 'published event')

    const buyer = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT, javaScriptEnabled: false })
    await buyer.goto(`${suite.server.url}/events`)
    await buyer.getByLabel('City', { exact: true }).fill('eldoret')
    await buyer.getByRole('button', { name: 'Search' }).click()
    await expect.poll(() => buyer.locator('.card h2').allTextContents()).toEqual([title])
    await screenshot(buyer, 'portal-4-buyer-search')
    await expectCleanPage(buyer, 'search')
    await buyer.getByRole('link', { name: title }).click()
    await expect.poll(() => buyer.locator('h1').textContent()).toBe(title)
    const tiers = await buyer.locator('.tier').allTextContents()
    expect(tiers.join(' ')).toContain('KES 1,000')
    expect(tiers.join(' ')).toContain('KES 3,500')
    expect(tiers.join(' ')).toContain('300 left')
    expect(await buyer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await screenshot(buyer, 'portal-5-buyer-event')
    await expectCleanPage(buyer, 'event page without JavaScript')
  })
})
