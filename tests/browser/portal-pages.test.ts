import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { sql } from 'kysely'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, DESKTOP_VIEWPORT, screenshot } from './harness.ts'

/** Marks the document; a full reload loses the mark, an htmx swap keeps it. */
const markDocument = (page: Page) => page.evaluate(() => Object.assign(window, { sameDocument: true }))
const sameDocument = (page: Page) => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true)

describe('the organiser portal in a browser, on a desktop', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite()

  it('a manager works through the portal pages; ticket types and payment filters swap fragments with htmx, the check-in count refreshes itself', async () => {
    const tenant = await createTenant(suite.db, { name: unique('Nakuru Stages') })
    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    const { event } = await createEvent(suite.db, tenant.id, {
      title: unique('Lake Nakuru Gospel Fest'), ticketTypes: [{ name: 'Regular', price_minor: 80_000, capacity: 1200, sold: 300 }],
    })
    const other = await createEvent(suite.db, tenant.id, { title: unique('Menengai Comedy') })
    const page = await watchedPage(suite.browser, { viewport: DESKTOP_VIEWPORT })
    const visit = async (path: string, name: string) => {
      await page.goto(`${suite.server.url}${path}`)
      await screenshot(page, name)
      await expectCleanPage(page, path)
    }
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(manager.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe(tenant.name)
    await screenshot(page, 'desktop-1-manage')
    await expectCleanPage(page, 'manage')

    await visit('/manage/events', 'desktop-2-events')
    await visit(`/manage/events/${event.id}`, 'desktop-3-event')
    expect(await page.locator('.ticket-type .meta').textContent()).toBe('300 sold or held / 1,200')

    // a refused ticket type comes back with its message (422) in the swapped fragment, the form still open
    await markDocument(page)
    const add = page.locator('form[action$="/ticket-types"]')
    await page.locator('#ticket-types details.card > summary').click()
    await add.getByLabel('Name', { exact: true }).fill('VIP')
    await add.getByLabel('Price (KES)').fill('2500')
    await add.getByLabel('Capacity', { exact: true }).fill('50') // the event's 1,200 are all Regular's
    await add.getByRole('button', { name: 'Add ticket type' }).click()
    await expect.poll(() => page.locator('#ticket-types .notice.error, #ticket-types .field-error').count()).toBeGreaterThan(0)
    expect(await add.getByLabel('Name', { exact: true }).inputValue()).toBe('VIP')
    await screenshot(page, 'desktop-4-ticket-type-refused')
    await expectCleanPage(page, 'manage event page, ticket type refused')

    // Regular gives up 50 (edited in place), then VIP fits
    const regular = page.locator('.ticket-type', { hasText: 'Regular' })
    await regular.getByText('Edit', { exact: true }).click()
    await regular.getByLabel('Capacity', { exact: true }).fill('1150')
    await regular.getByRole('button', { name: 'Save', exact: true }).click()
    await expect.poll(() => page.locator('.ticket-type .meta').first().textContent()).toBe('300 sold or held / 1,150')
    await page.locator('#ticket-types details.card > summary').click()
    await add.getByLabel('Name', { exact: true }).fill('VIP')
    await add.getByLabel('Price (KES)').fill('2500')
    await add.getByLabel('Capacity', { exact: true }).fill('50')
    await add.getByRole('button', { name: 'Add ticket type' }).click()
    await expect.poll(() => page.locator('.ticket-type strong', { hasText: 'VIP' }).count()).toBe(1)
    expect(await page.locator('#ticket-types .notice').textContent()).toBe('Saved.')
    expect(await sameDocument(page)).toBe(true)
    await screenshot(page, 'desktop-5-ticket-type-added')
    await expectCleanPage(page, 'manage event page after htmx swaps')

    // the payments filter swaps the results, and the address follows the filter
    await visit('/manage/payments', 'desktop-6-payments')
    await markDocument(page)
    await page.getByLabel('Event').selectOption({ label: other.event.title })
    await expect.poll(() => page.url()).toContain(`event=${other.event.id}`)
    await expect.poll(() => page.locator('#recon-results a[download]').getAttribute('href')).toContain(`event=${other.event.id}`)
    expect(await sameDocument(page)).toBe(true)
    await screenshot(page, 'desktop-7-payments-filtered')
    await expectCleanPage(page, 'payments filtered')

    await visit('/manage/staff', 'desktop-8-staff')
    await visit('/manage/mpesa', 'desktop-9-mpesa')
    await visit('/scan', 'desktop-10-scan')
    await visit(`/scan/events/${event.id}`, 'desktop-11-scan-event')
    // a live figure: the scanner's count follows the gate (its manifest, every 5 s) without a reload
    expect(await page.locator('#gate-counts').textContent()).toBe('0 of 300 admitted')
    await markDocument(page)
    await asSystem(suite.db, (trx) => sql`update tickets set status = 'used'
      where id in (select id from tickets where event_id = ${event.id} and status = 'active' limit 2)`.execute(trx))
    await expect.poll(() => page.locator('#gate-counts').textContent(), { timeout: 25_000 }).toBe('2 of 300 admitted')
    expect(await sameDocument(page)).toBe(true)
    await expectCleanPage(page, 'scan event page after a refresh')
  })
})
