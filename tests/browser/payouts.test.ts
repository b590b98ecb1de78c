/**
 * The payouts page in a browser, as an organiser sees it on a laptop and a phone: one payout paid by
 * M-Pesa, one retrying, one to pay by hand; the manager marks that one paid with its M-Pesa reference.
 */
import { describe, expect, it } from 'vitest'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { TestClock } from '../support/client.ts'
import { asSystem, createAccount, TEST_PASSWORD } from '../support/fixtures.ts'
import { resaleWithPayout } from '../payouts/payout-kit.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, DESKTOP_VIEWPORT, PHONE_VIEWPORT, screenshot } from './harness.ts'

const ring = await parseKeyRing(newKeyEntry('k1'))

describe('the payouts page in a browser', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite({ deps: { secretKeys: ring } })

  it('shows every payout on a laptop and a phone, and marks one paid by hand', async () => {
    const kit = { ring, clock: new TestClock() }
    const paid = await resaleWithPayout(suite.db, kit, { phone: '254711000301' })
    const retrying = await resaleWithPayout(suite.db, kit, { phone: '254711000302', tenantId: paid.tenantId })
    const manual = await resaleWithPayout(suite.db, kit, { phone: '254700003001', tenantId: paid.tenantId })
    await asSystem(suite.db, async (trx) => {
      for (const sale of [retrying, manual]) {
        await trx.updateTable('payouts').set({ event_id: paid.event.id }).where('id', '=', sale.payout.id).execute()
        await trx.updateTable('transactions').set({ event_id: paid.event.id }).where('id', '=', sale.payment.id).execute()
      }
      await trx.updateTable('payouts').set({ status: 'completed', method: 'b2c', attempts: 1, receipt: 'TLK4AB12CD', result_code: '0',
        result_description: 'The service request is processed successfully.', completed_at: new Date() }).where('id', '=', paid.payout.id).execute()
      await trx.updateTable('payouts').set({ status: 'due', attempts: 1, result_code: 'timeout', result_description: 'The request timed out in the queue.',
        next_attempt_at: new Date(Date.now() + 60_000) }).where('id', '=', retrying.payout.id).execute()
      await trx.updateTable('payouts').set({ status: 'manual', attempts: 3, result_code: 'b2c_2040',
        result_description: 'Credit Party customer type (Unregistered or Registered Customer) can\'t be supported by the service.' })
        .where('id', '=', manual.payout.id).execute()
    })
    const manager = await createAccount(suite.db, { tenantId: paid.tenantId, membership: 'manager' })
    const page = await watchedPage(suite.browser, { viewport: DESKTOP_VIEWPORT })
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(manager.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.goto(`${suite.server.url}/manage/events/${paid.event.id}/payouts`)
    expect(await page.locator('tr[data-payout]').count()).toBe(3)
    expect(await page.locator('[data-payouts="manual"]').textContent()).toMatch(/^1 · KES\s1,700$/)
    await expectCleanPage(page, 'payouts, desktop')
    await screenshot(page, 'payouts-1-desktop')

    await page.setViewportSize(PHONE_VIEWPORT)
    await expectCleanPage(page, 'payouts, phone')
    await screenshot(page, 'payouts-2-phone')

    await page.getByLabel('M-Pesa reference').fill('tlk9zz12ab')
    await page.getByRole('button', { name: 'Mark paid' }).click()
    await expect.poll(() => page.locator('.notice').first().textContent()).toContain('Marked paid: KES 1,700 to 0700 ••• 001.')
    expect(await page.locator('tr[data-payout="completed"]').count()).toBe(2)
    await expectCleanPage(page, 'payouts, marked paid')
    await screenshot(page, 'payouts-3-marked-paid-phone')
  })
})
