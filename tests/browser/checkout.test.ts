import { serve, type ServerType } from '@hono/node-server'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { createDarajaSimulator } from '../../src/payments/simulator/daraja-simulator.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { asSystem, createEvent, createTenant, unique } from '../support/fixtures.ts'
import { giveMpesaCredentials } from '../support/payments.ts'
import { expectCleanPage, watchedContext } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, PHONE_VIEWPORT, screenshot } from './harness.ts'

const ring = await parseKeyRing(newKeyEntry('k1'))

describe('buying with M-Pesa in a browser, on a phone', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  // callbacks go over HTTP to the served app, as Safaricom's would; the phone page is served too
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

  it('buys two tickets with the simulated phone and shows them with their QR; a cancelled prompt can be retried', async () => {
    const tenant = await createTenant(suite.db)
    await giveMpesaCredentials(suite.db, ring, tenant.id)
    const { event } = await createEvent(suite.db, tenant.id, {
      title: unique('Naivasha Jazz Picnic'), ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 20 }],
    })
    const context = await watchedContext(suite.browser, { viewport: PHONE_VIEWPORT })
    const page = await context.newPage()
    await page.goto(`${suite.server.url}/events/${event.slug}`)
    await page.locator('.tier', { hasText: 'Regular' }).getByLabel('How many').fill('2')
    await page.getByRole('button', { name: 'Hold my tickets' }).click()
    await page.getByLabel('M-Pesa phone number').fill('0712 345 678')
    await screenshot(page, 'checkout-1-phone')
    await expectCleanPage(page, 'hold page')
    await page.getByRole('button', { name: 'Pay KES 3,000 with M-Pesa' }).click()
    await expect.poll(() => page.locator('h2').first().textContent()).toBe('Check your phone')
    await screenshot(page, 'checkout-2-check-your-phone')
    await expectCleanPage(page, 'payment pending')

    // the buyer cancels on the phone
    const phone = await context.newPage()
    await phone.goto(phoneUrl)
    await screenshot(phone, 'checkout-3-simulated-phone')
    await expectCleanPage(phone, 'simulated phone')
    await phone.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(() => page.locator('.payment.failed').textContent(), { timeout: 10_000 }).toContain('You cancelled the M-Pesa prompt.')
    await screenshot(page, 'checkout-4-cancelled')
    await expectCleanPage(page, 'payment cancelled')

    // and retries on the same hold, this time with the PIN
    await page.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => page.locator('h2').first().textContent()).toBe('Check your phone')
    await phone.goto(phoneUrl)
    await phone.getByLabel('M-Pesa PIN').fill('1234')
    await phone.getByRole('button', { name: 'Pay', exact: true }).click()
    await expect.poll(() => page.locator('h1').textContent(), { timeout: 15_000 }).toBe('Your tickets')
    expect(await page.locator('.cards svg').count()).toBe(2)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await screenshot(page, 'checkout-5-tickets')
    await expectCleanPage(page, 'tickets paid')

    const payments = await asSystem(suite.db, (trx) => trx.selectFrom('transactions').select('status')
      .where('event_id', '=', event.id).orderBy('created_at').execute())
    expect(payments.map((payment) => payment.status)).toEqual(['failed', 'completed'])
  })
})
