import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { createAccount, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

describe('accounts in a browser, on a phone', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const suite = browserSuite()

  async function phone(userAgent?: string): Promise<Page> {
    return watchedPage(suite.browser, { viewport: PHONE_VIEWPORT, userAgent })
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${suite.server.url}/login`)
    await expectCleanPage(page, 'login')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }

  it('registers, signs out, signs in, sees its sessions and signs another device out', async () => {
    const email = `${unique('amani')}@example.test`
    const page = await phone()
    await page.goto(`${suite.server.url}/register`)
    await page.getByLabel('Full name').fill('Amani Odhiambo')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('my-long-password')
    await screenshot(page, 'accounts-1-register')
    await expectCleanPage(page, 'register')
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('My account')
    await expect.poll(() => page.locator('.notice').textContent()).toContain('confirmation link')

    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upcoming events')
    await signIn(page, email, 'my-long-password')
    await expect.poll(() => page.locator('h1').textContent()).toBe('My account')
    await expectCleanPage(page, 'account')

    const other = await phone('Mozilla/5.0 (Linux; Android 12) Firefox/118.0')
    await signIn(other, email, 'my-long-password')
    await expect.poll(() => other.locator('h1').textContent()).toBe('My account')

    await page.goto(`${suite.server.url}/account/sessions`)
    await expect.poll(() => page.locator('.session').count()).toBe(2)
    await screenshot(page, 'accounts-2-sessions')
    await expectCleanPage(page, 'sessions')
    await page.getByRole('button', { name: 'Sign out this device' }).click()
    await expect.poll(() => page.locator('.notice').textContent()).toBe('That device was signed out.')
    expect(await page.locator('.session').count()).toBe(1)
    await screenshot(page, 'accounts-3-revoked')
    await expectCleanPage(page, 'session revoked')

    await other.goto(`${suite.server.url}/account`)
    await expect.poll(() => other.locator('h1').textContent()).toBe('Sign in')
  })

  it('applies to become an organiser, and a super admin approves the application', async () => {
    const applicant = await createAccount(suite.db)
    const admin = await createAccount(suite.db, { role: 'super_admin' })
    const organiser = unique('Kisumu Live')

    const page = await phone()
    await signIn(page, applicant.email!, TEST_PASSWORD)
    await page.getByRole('link', { name: 'Sell tickets: apply to become an organiser' }).click()
    await page.getByLabel('Organisation name').fill(organiser)
    await page.getByLabel('Contact phone').fill('0712 345 678')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.locator('.notice').textContent()).toContain('waiting for approval')
    await screenshot(page, 'accounts-4-application-pending')
    await expectCleanPage(page, 'organiser application pending')

    const adminPage = await phone()
    await signIn(adminPage, admin.email!, TEST_PASSWORD)
    await expect.poll(() => adminPage.locator('h1').textContent()).toBe('Platform admin')
    const card = adminPage.locator(`.tenant[data-tenant="${organiser}"]`)
    await card.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => adminPage.locator('.notice').textContent()).toBe('Saved.')
    await expect.poll(() => adminPage.locator(`.tenant[data-tenant="${organiser}"] .badge`).textContent()).toBe('Active')
    await screenshot(adminPage, 'accounts-5-admin-approved')
    await expectCleanPage(adminPage, 'admin')

    await page.reload()
    expect(await page.locator('.notice').count()).toBe(0)
    expect(await page.locator('h1').textContent()).toBe(organiser)
  })
})
