import { describe, expect, it } from 'vitest'
import { SYSTEM, withContext } from '../../src/db/request-context.ts'
import { enqueueNotification } from '../../src/notifications/outbox.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, DESKTOP_VIEWPORT, PHONE_VIEWPORT, screenshot } from './harness.ts'

describe('the message pages in a browser', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite()

  it('a manager edits a message (refused placeholder, then saved) and reads the log', async () => {
    const tenant = await createTenant(suite.db, { name: unique('Sauti Events') })
    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    const { event } = await createEvent(suite.db, tenant.id, { title: unique('Jazz by the Lake') })
    const [id] = await withContext(suite.db, SYSTEM, (trx) => enqueueNotification(trx, {
      type: 'ticket_delivery', channel: 'whatsapp', phone: '254712345678', tenantId: tenant.id, userId: null, eventId: event.id, lang: 'en',
      now: new Date(), data: { eventTitle: event.title },
    }))
    await asSystem(suite.db, (trx) => trx.updateTable('notifications').set({ status: 'failed', retry_count: 6, last_error: 'waha session default is SCAN_QR_CODE, not WORKING' })
      .where('id', '=', id!).execute())
    const page = await watchedPage(suite.browser, { viewport: DESKTOP_VIEWPORT })
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(manager.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe(tenant.name)

    await page.goto(`${suite.server.url}/manage/messages`)
    await screenshot(page, 'messages-1-list')
    await expectCleanPage(page, 'messages list')
    await page.getByRole('link', { name: 'English: Platform wording' }).first().click()
    await page.getByLabel('Text').fill('Hello {{buyerName}}, your code is {{password}}')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('.notice.error').textContent()).toContain('Unknown placeholder: password')
    await screenshot(page, 'messages-2-refused')
    await expectCleanPage(page, 'message editor, refused')
    await page.getByLabel('Text').fill('Hello {{buyerName}}, your tickets: {{ticketsLink}}')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.locator('.notice.success').textContent()).toContain('Saved')
    await screenshot(page, 'messages-3-saved')
    await expectCleanPage(page, 'message editor, saved')

    await page.goto(`${suite.server.url}/manage/messages/log?status=failed`)
    await screenshot(page, 'messages-4-log')
    await expectCleanPage(page, 'message log')
    await page.getByRole('button', { name: 'Send again' }).click()
    await expect.poll(() => page.locator('.notice.success').textContent()).toContain('queued again')
    await page.setViewportSize(PHONE_VIEWPORT)
    await page.goto(`${suite.server.url}/manage/messages/log`)
    await screenshot(page, 'messages-5-log-phone')
    await expectCleanPage(page, 'message log on a phone')
  })
})
