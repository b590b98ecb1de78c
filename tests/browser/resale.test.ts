import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { createDarajaSimulator } from '../../src/payments/simulator/daraja-simulator.ts'
import { sellWithCodes } from '../scanning/gate-fixtures.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { giveMpesaCredentials } from '../support/payments.ts'
import { expectCleanPage, watchedContext } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

const ring = await parseKeyRing(newKeyEntry('k1'))

describe('the resale marketplace in a browser, on phones', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  const sim = createDarajaSimulator({ callbackDelayMs: 200 })
  let phoneServer: ServerType
  let phoneUrl = ''
  const suite = browserSuite({
    deps: {
      config: { ...TEST_CONFIG, darajaBaseUrl: 'http://daraja.test' },
      darajaFetch: (input, init) => Promise.resolve(sim.app.fetch(new Request(input, init))),
      secretKeys: ring,
    },
  })
  beforeAll(async () => {
    phoneServer = await new Promise((resolve) => {
      const s = serve({ fetch: sim.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    phoneUrl = `http://127.0.0.1:${(phoneServer.address() as AddressInfo).port}/phone`
  })
  afterAll(() => new Promise<void>((resolve) => phoneServer.close(() => resolve())))

  it('lists a ticket from the wallet and buys it on another phone with the simulated M-Pesa prompt', async () => {
    const tenant = await createTenant(suite.db)
    await giveMpesaCredentials(suite.db, ring, tenant.id)
    const { event, ticketTypes } = await createEvent(suite.db, tenant.id, {
      title: unique('Koroga Festival'), ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 1 }],
    })
    await asSystem(suite.db, (trx) => trx.updateTable('events').set({ allow_resale: true, resale_price_cap_pct: 120, resale_fee_pct: 10 })
      .where('id', '=', event.id).execute())
    const seller = await createAccount(suite.db)
    // the only ticket: the type is sold out, so resale stands out on the event page
    await sellWithCodes(suite.db, ring, event.id, ticketTypes[0]!.id, 1, seller.id)

    const sellerContext = await watchedContext(suite.browser, { viewport: PHONE_VIEWPORT })
    const wallet = await sellerContext.newPage()
    await wallet.goto(`${suite.server.url}/login?next=%2Ftickets`)
    await wallet.getByLabel('Email').fill(seller.email!)
    await wallet.getByLabel('Password').fill(TEST_PASSWORD)
    await wallet.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => wallet.locator('h1').textContent()).toBe('My tickets')
    await wallet.getByText('Sell on resale').click()
    await wallet.getByLabel('Price (KES)').fill('1300')
    await wallet.getByLabel('M-Pesa number for your payout').fill('0711 222 333')
    await screenshot(wallet, 'resale-1-list-form')
    await expectCleanPage(wallet, 'wallet with the resale form')
    expect(await wallet.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await wallet.getByRole('button', { name: 'List for resale' }).click()
    // above the cap: refused, with the cap
    await expect.poll(() => wallet.locator('.notice').textContent()).toContain('KES 1,200')
    await screenshot(wallet, 'resale-2-over-cap')
    await expectCleanPage(wallet, 'over the cap')
    await wallet.goto(`${suite.server.url}/tickets`)
    await wallet.getByText('Sell on resale').click()
    await wallet.getByLabel('Price (KES)').fill('1200')
    await wallet.getByLabel('M-Pesa number for your payout').fill('0711 222 333')
    await wallet.getByRole('button', { name: 'List for resale' }).click()
    await expect.poll(() => wallet.locator('[data-status="listed"]').textContent()).toBe('Listed for resale at KES 1,200')
    await screenshot(wallet, 'resale-3-listed')
    await expectCleanPage(wallet, 'wallet with a listing')

    const buyerContext = await watchedContext(suite.browser, { viewport: PHONE_VIEWPORT })
    const page = await buyerContext.newPage()
    await page.goto(`${suite.server.url}/events/${event.slug}`)
    await expect.poll(() => page.locator('[data-resale] h2').textContent()).toBe('Resale tickets')
    expect(await page.locator('[data-resale]').textContent()).toContain('Sold out?')
    await screenshot(page, 'resale-4-event-page')
    await expectCleanPage(page, 'event page with resale')
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await page.goto(`${suite.server.url}/events/${event.slug}/resale?lang=sw`)
    await screenshot(page, 'resale-5-resale-page-sw')
    await expectCleanPage(page, 'resale page')
    await page.goto(`${suite.server.url}/events/${event.slug}/resale?lang=en`)
    await page.getByRole('button', { name: /^Buy/ }).click()
    await expect.poll(() => page.locator('h1').textContent()).toBe('Your tickets are held')
    await page.getByLabel('M-Pesa phone number').fill('0712 345 999')
    await screenshot(page, 'resale-6-hold')
    await expectCleanPage(page, 'resale hold page')
    await page.getByRole('button', { name: /^Pay/ }).click()
    await expect.poll(() => page.locator('h2').first().textContent()).toBe('Check your phone')

    const phone = await buyerContext.newPage()
    await phone.goto(phoneUrl)
    await phone.getByLabel('M-Pesa PIN').fill('1234')
    await phone.getByRole('button', { name: 'Pay', exact: true }).click()
    await expect.poll(async () => { await page.reload(); return page.locator('h1').textContent() }, { timeout: 15_000 }).toBe('Your tickets')
    expect(await page.locator('svg').count()).toBeGreaterThan(0)
    await screenshot(page, 'resale-7-bought')
    await expectCleanPage(page, 'bought ticket')

    await wallet.goto(`${suite.server.url}/tickets`)
    await expect.poll(() => wallet.locator('[data-sold]').textContent()).toContain('Sold — payout: pending')
    await screenshot(wallet, 'resale-8-seller-sold')
    await expectCleanPage(wallet, 'seller wallet after the sale')

    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    const managerPage = await (await watchedContext(suite.browser, { viewport: { width: 1024, height: 768 } })).newPage()
    await managerPage.goto(`${suite.server.url}/login?next=${encodeURIComponent(`/manage/events/${event.id}/resale`)}`)
    await managerPage.getByLabel('Email').fill(manager.email!)
    await managerPage.getByLabel('Password').fill(TEST_PASSWORD)
    await managerPage.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => managerPage.locator('[data-total="payouts"]').textContent()).toBe('KES 1,020')
    await screenshot(managerPage, 'resale-9-manager')
    await expectCleanPage(managerPage, 'manager resale page')
  })
})
