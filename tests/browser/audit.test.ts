/**
 * The audit log pages in a desktop browser with JavaScript off: the filter is a plain GET form, and the
 * pages are screenshotted at 1280 wide for a person to look at.
 */
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { asSystem, createAccount, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { browserSuite, screenshot } from './harness.ts'

const DESKTOP = { width: 1280, height: 800 }

describe('the audit log pages on a desktop, without JavaScript', () => {
  const suite = browserSuite()

  async function signedIn(email: string): Promise<Page> {
    const context = await suite.browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(email)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForLoadState()
    return page
  }

  async function someHistory(db: Database) {
    const tenant = await createTenant(db, { name: 'Kisumu Sounds' })
    const admin = await createAccount(db, { role: 'super_admin' })
    const manager = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    const scanner = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })
    const at = (minutes: number) => new Date(Date.now() - (240 - minutes) * 60_000)
    await asSystem(db, (trx) => trx.insertInto('audit_log').values([
      { action: 'tenant_applied', tenant_id: tenant.id, actor_user_id: manager.id, target_type: 'tenant', target_id: tenant.id, created_at: at(0) },
      { action: 'tenant_approved', tenant_id: tenant.id, actor_user_id: admin.id, target_type: 'tenant', target_id: tenant.id, created_at: at(30) },
      { action: 'commission_changed', tenant_id: tenant.id, actor_user_id: admin.id, target_type: 'tenant', target_id: tenant.id,
        metadata: { basisPoints: 650 }, created_at: at(35) },
      { action: 'staff_invited', tenant_id: tenant.id, actor_user_id: manager.id, metadata: { role: 'scanner' }, created_at: at(60) },
      { action: 'staff_joined', tenant_id: tenant.id, actor_user_id: scanner.id, metadata: { role: 'scanner' }, created_at: at(90) },
      { action: 'scanner_events_assigned', tenant_id: tenant.id, actor_user_id: manager.id, target_type: 'user', target_id: scanner.id,
        metadata: { events: 2 }, created_at: at(120) },
      { action: 'login_failed', actor_user_id: null, metadata: { knownAccount: false }, created_at: at(150) },
    ]).execute())
    return { tenant, admin, manager }
  }

  it('lets the super admin filter the whole log, and a manager read their own organiser’s', async () => {
    const { tenant, admin, manager } = await someHistory(suite.db)

    const adminPage = await signedIn(admin.email!)
    await adminPage.goto(`${suite.server.url}/admin`)
    await adminPage.getByRole('link', { name: 'Audit log' }).click()
    await expect.poll(() => adminPage.locator('h1').textContent()).toBe('Audit log')
    // the 7 entries above and the two sign-ins of this test
    expect(await adminPage.locator('tr[data-entry]').count()).toBe(8)
    await screenshot(adminPage, 'audit-1-admin')
    await adminPage.locator('select[name=tenant]').selectOption({ label: 'Kisumu Sounds' })
    await adminPage.locator('select[name=action]').selectOption({ label: 'Commission changed' })
    await adminPage.getByRole('button', { name: 'Filter' }).click()
    await adminPage.waitForLoadState()
    expect(new URL(adminPage.url()).searchParams.get('tenant')).toBe(tenant.id)
    expect(await adminPage.locator('tr[data-entry]').count()).toBe(1)
    expect(await adminPage.locator('tr[data-entry]').textContent()).toContain('basisPoints: 650')
    await screenshot(adminPage, 'audit-2-admin-filtered')

    const managerPage = await signedIn(manager.email!)
    await managerPage.goto(`${suite.server.url}/manage`)
    await managerPage.getByRole('link', { name: 'Audit log' }).click()
    await expect.poll(() => managerPage.locator('h1').textContent()).toBe('Audit log')
    expect(await managerPage.locator('tr[data-entry]').count()).toBe(6)
    expect(await managerPage.locator('main').textContent()).not.toContain(admin.email!)
    await screenshot(managerPage, 'audit-3-manager')
  })
})
