import { describe, expect, it, beforeAll } from 'vitest'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import { sellWithCodes } from '../scanning/gate-fixtures.ts'
import { createAccount, createEvent, createTenant, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { codeSentTo, linkSentTo } from '../transfers/transfer-kit.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

describe('a ticket transfer in a browser, on phones', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const deps: { secretKeys?: KeyRing } = {}
  beforeAll(async () => {
    deps.secretKeys = await parseKeyRing(newKeyEntry('k1'))
  })
  const suite = browserSuite({ deps })

  it('transfers a ticket to another phone, which accepts it with its code', async () => {
    const ring = deps.secretKeys!
    const tenant = await createTenant(suite.db)
    const { event, ticketTypes } = await createEvent(suite.db, tenant.id, { title: unique('Nyege Nyege Nairobi') })
    const seller = await createAccount(suite.db)
    await sellWithCodes(suite.db, ring, event.id, ticketTypes[0]!.id, 1, seller.id)
    const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')

    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await page.goto(`${suite.server.url}/login?next=%2Ftickets`)
    await page.getByLabel('Email').fill(seller.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('My tickets')
    await page.getByText('Transfer this ticket').click()
    await screenshot(page, 'transfer-1-wallet')
    await expectCleanPage(page, 'wallet')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await page.getByLabel('Recipient’s phone number or email').fill(`07${digits}`)
    await page.getByRole('button', { name: 'Send me the code' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Ticket transfer')
    await page.getByLabel('Your code').fill(await codeSentTo(suite.db, seller.email!, ring))
    await screenshot(page, 'transfer-2-sender-code')
    await expectCleanPage(page, 'sender code')
    await page.getByRole('button', { name: 'Confirm' }).click()
    await expect.poll(() => page.locator('[data-transfer-status]').textContent()).toContain('waiting for the recipient')
    await screenshot(page, 'transfer-3-waiting')

    const phone = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    const link = await linkSentTo(suite.db, `2547${digits}`, ring)
    await phone.goto(`${suite.server.url}/transfers/accept/${link}`)
    await expect.poll(() => phone.locator('h1').textContent()).toBe('Accept a ticket')
    await phone.getByLabel('The code in your message').fill(await codeSentTo(suite.db, `2547${digits}`, ring))
    await screenshot(phone, 'transfer-4-accept')
    await expectCleanPage(phone, 'accept page')
    await phone.getByRole('button', { name: 'Confirm' }).click()
    await expect.poll(() => phone.locator('h1').textContent()).toBe('My tickets')
    expect(await phone.locator('li.ticket svg').count()).toBe(1)
    expect(await phone.locator('li.ticket').textContent()).toContain(event.title)
    await screenshot(phone, 'transfer-5-received')
    await expectCleanPage(phone, 'recipient wallet')

    await page.goto(`${suite.server.url}/tickets`)
    await expect.poll(() => page.locator('[data-transferred]').textContent()).toContain(`Transferred to 07${digits.slice(0, 2)} ••• ${digits.slice(-3)}`)
    await screenshot(page, 'transfer-6-sender-after')
    await expectCleanPage(page, 'sender wallet after')
  })
})
