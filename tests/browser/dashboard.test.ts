import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createAccount, createEvent, createTenant, createUser, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { placeOrder, scan } from '../support/sales.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, DESKTOP_VIEWPORT, PHONE_VIEWPORT, screenshot } from './harness.ts'

const HOUR = 3600_000

/** Marks the document; a full reload loses the mark, an htmx swap keeps it. */
const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { sameDocument: true }))
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true)

async function signIn(page: Page, url: string, email: string) {
  await page.goto(`${url}/login`)
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill(TEST_PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL(/\/(manage|start|account|admin)/)
}

describe('the organiser dashboard in a browser', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite()

  it('shows figures and SVG charts at 1280 and 360 px, swaps results with htmx, and filters without JavaScript', async () => {
    const now = Date.now()
    const tenant = await createTenant(suite.db, { name: unique('Kisumu Live') })
    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    const main = await createEvent(suite.db, tenant.id, {
      title: 'Lakeside Jazz', startsAt: new Date(now - 3 * HOUR),
      ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 400 }, { name: 'VIP', price_minor: 500_000, capacity: 60 }],
    })
    const second = await createEvent(suite.db, tenant.id, { title: 'Dunga Hill Comedy', startsAt: new Date(now + 5 * 24 * HOUR) })
    const scanner = await createUser(suite.db, { role: 'scanner' })
    const phones = ['254712000001', '254733000002', '254110000003', '254722000004']
    let scanned = 0
    for (let i = 0; i < 40; i++) {
      const type = main.ticketTypes[i % 5 === 0 ? 1 : 0]!
      const order = await placeOrder(suite.db, {
        tenantId: tenant.id, eventId: main.event.id, typeId: type.id, quantity: 1 + (i % 4), unitMinor: type.price_minor,
        status: i % 9 === 8 ? 'failed' : i % 13 === 12 ? 'refunded' : 'completed', resultCode: 1032,
        at: new Date(now - (100 - i * 2.3) * HOUR), phone: phones[i % 4],
      })
      for (const ticketId of order.ticketIds.slice(0, 2)) {
        if (scanned++ % 3 === 0) continue
        await scan(suite.db, { tenantId: tenant.id, eventId: main.event.id, ticketId, scannerId: scanner.id, at: new Date(now - 3 * HOUR + scanned * 60_000) })
      }
    }
    await placeOrder(suite.db, { tenantId: tenant.id, eventId: second.event.id, typeId: second.ticketTypes[0]!.id, quantity: 3, unitMinor: 150_000, status: 'completed', at: new Date(now - 20 * HOUR) })

    const page = await watchedPage(suite.browser, { viewport: DESKTOP_VIEWPORT })
    await signIn(page, suite.server.url, manager.email!)
    await page.goto(`${suite.server.url}/manage`)
    expect(await page.locator('svg.chart-svg').count()).toBeGreaterThanOrEqual(5)
    await screenshot(page, 'dashboard-desktop-1-manage')
    await expectCleanPage(page, 'organiser dashboard')

    // a filter change swaps the results in place and the address follows
    await markDocument(page)
    await page.locator('form.dash-filter select[name="event"]').selectOption({ label: 'Lakeside Jazz' })
    await expect.poll(() => page.url()).toContain(`event=${main.event.id}`)
    await expect.poll(() => page.locator('[data-figure="admitted"]').textContent()).not.toBe('0')
    expect(await sameDocument(page)).toBe(true)
    await screenshot(page, 'dashboard-desktop-2-filtered')
    await expectCleanPage(page, 'organiser dashboard filtered')

    await page.goto(`${suite.server.url}/manage/events/${main.event.id}/dashboard`)
    await screenshot(page, 'dashboard-desktop-3-event')
    await expectCleanPage(page, 'event dashboard')

    const phone = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await signIn(phone, suite.server.url, manager.email!)
    await phone.goto(`${suite.server.url}/manage/events/${main.event.id}/dashboard`)
    // nothing wider than the screen: the charts scale, the tables scroll inside their box
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360)
    await screenshot(phone, 'dashboard-phone-1-event')
    await expectCleanPage(phone, 'event dashboard on a phone')
    await phone.locator('#chart-hourly summary').click()
    expect(await phone.locator('#chart-hourly table tbody tr').count()).toBe(72)

    // without JavaScript the filter is a plain GET form
    const noScript = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT, javaScriptEnabled: false })
    await signIn(noScript, suite.server.url, manager.email!)
    await noScript.goto(`${suite.server.url}/manage`)
    await noScript.locator('form.dash-filter select[name="event"]').selectOption({ label: 'Dunga Hill Comedy' })
    await noScript.getByRole('button', { name: 'Show' }).click()
    await noScript.waitForURL(new RegExp(`event=${second.event.id}`))
    expect(await noScript.locator('[data-figure="sold"]').textContent()).toBe('3 of 100')
    await screenshot(noScript, 'dashboard-phone-2-no-javascript')

    const admin = await createAccount(suite.db, { role: 'super_admin' })
    const adminPage = await watchedPage(suite.browser, { viewport: DESKTOP_VIEWPORT })
    await signIn(adminPage, suite.server.url, admin.email!)
    await adminPage.goto(`${suite.server.url}/admin/dashboard`)
    expect(await adminPage.locator('#tenants-table').textContent()).toContain(tenant.name)
    await screenshot(adminPage, 'dashboard-desktop-4-platform')
    await expectCleanPage(adminPage, 'platform dashboard')
  })
})
