import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { openTestDatabase } from '../support/database.ts'
import { createAccount, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { launchChromium, PHONE_VIEWPORT, screenshot, serveApp, type RunningServer } from './harness.ts'

describe('accounts in a browser, on a phone', () => {
  let db: Database
  let server: RunningServer
  let browser: Browser

  beforeAll(async () => {
    db = await openTestDatabase()
    server = await serveApp(db)
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await db?.destroy()
  })

  async function phone(userAgent?: string): Promise<Page> {
    const context = await browser.newContext({ viewport: PHONE_VIEWPORT, userAgent })
    return context.newPage()
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${server.url}/login`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
  }

  it('registers, signs out, signs in, sees its sessions and signs another device out', async () => {
    const email = `${unique('amani')}@example.test`
    const page = await phone()
    await page.goto(`${server.url}/register`)
    await page.getByLabel('Full name').fill('Amani Odhiambo')
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill('my-long-password')
    await screenshot(page, 'accounts-1-register')
    await page.getByRole('button', { name: 'Create account' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('My account')
    await expect.poll(() => page.locator('.notice').textContent()).toContain('confirmation link')

    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Upcoming events')
    await signIn(page, email, 'my-long-password')
    await expect.poll(() => page.locator('h1').textContent()).toBe('My account')

    const other = await phone('Mozilla/5.0 (Linux; Android 12) Firefox/118.0')
    await signIn(other, email, 'my-long-password')
    await expect.poll(() => other.locator('h1').textContent()).toBe('My account')

    await page.goto(`${server.url}/account/sessions`)
    await expect.poll(() => page.locator('.session').count()).toBe(2)
    await screenshot(page, 'accounts-2-sessions')
    await page.getByRole('button', { name: 'Sign out this device' }).click()
    await expect.poll(() => page.locator('.notice').textContent()).toBe('That device was signed out.')
    expect(await page.locator('.session').count()).toBe(1)
    await screenshot(page, 'accounts-3-revoked')

    await other.goto(`${server.url}/account`)
    await expect.poll(() => other.locator('h1').textContent()).toBe('Sign in')
  })

  it('applies to become an organiser, and a super admin approves the application', async () => {
    const applicant = await createAccount(db)
    const admin = await createAccount(db, { role: 'super_admin' })
    const organiser = unique('Kisumu Live')

    const page = await phone()
    await signIn(page, applicant.email!, TEST_PASSWORD)
    await page.getByRole('link', { name: 'Sell tickets: apply to become an organiser' }).click()
    await page.getByLabel('Organisation name').fill(organiser)
    await page.getByLabel('Contact phone').fill('0712 345 678')
    await page.getByRole('button', { name: 'Apply' }).click()
    await expect.poll(() => page.locator('.notice').textContent()).toContain('waiting for approval')
    await screenshot(page, 'accounts-4-application-pending')

    const adminPage = await phone()
    await signIn(adminPage, admin.email!, TEST_PASSWORD)
    await expect.poll(() => adminPage.locator('h1').textContent()).toBe('Platform admin')
    const card = adminPage.locator(`.tenant[data-tenant="${organiser}"]`)
    await card.getByRole('button', { name: 'Approve' }).click()
    await expect.poll(() => adminPage.locator('.notice').textContent()).toBe('Saved.')
    await expect.poll(() => adminPage.locator(`.tenant[data-tenant="${organiser}"] .badge`).textContent()).toBe('Active')
    await screenshot(adminPage, 'accounts-5-admin-approved')

    await page.reload()
    expect(await page.locator('.notice').count()).toBe(0)
    expect(await page.locator('h1').textContent()).toBe(organiser)
  })
})
