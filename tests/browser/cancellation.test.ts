import { describe, expect, it } from 'vitest'
import { tick } from '../../src/jobs/runner.ts'
import { postgresScheduler } from '../../src/jobs/scheduler.ts'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { createDarajaSimulator, SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import type { BackgroundServices } from '../../src/services.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { giveMpesaCredentials } from '../support/payments.ts'
import { expectCleanPage, watchedPage } from './axe.ts'
import { BROWSER_TEST_TIMEOUT, browserSuite, DESKTOP_VIEWPORT, PHONE_VIEWPORT, screenshot } from './harness.ts'

const ring = await parseKeyRing(newKeyEntry('k1'))

describe('cancelling an event in a browser', { timeout: BROWSER_TEST_TIMEOUT }, () => {
  // Reversal results come back over HTTP to the served app, as Safaricom's would
  const sim = createDarajaSimulator({ callbackDelayMs: 200 })
  const darajaFetch = (input: string, init?: RequestInit) => Promise.resolve(sim.app.fetch(new Request(input, init)))
  const suite = browserSuite({
    deps: { config: { ...TEST_CONFIG, darajaBaseUrl: 'http://daraja.test' }, darajaFetch, secretKeys: ring },
  })

  /** A buyer holds and pays over the API, with the simulator's paying number (a signed-in buyer's hold when `userId`). */
  async function buy(eventId: string, typeId: string, quantity: number, userId?: string) {
    let reservation: { id: string; token: string }
    if (userId) {
      const made = await createReservation(suite.db, { eventId, items: [{ ticketTypeId: typeId, quantity }], userId, now: new Date() })
      reservation = { id: made.reservation.id, token: made.reservation.token! }
    } else {
      const held = await fetch(`${suite.server.url}/api/v1/events/${eventId}/reservations`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ ticketTypeId: typeId, quantity }] }),
      })
      reservation = await held.json() as { id: string; token: string }
      if (held.status !== 201) throw new Error(`hold answered ${held.status}: ${JSON.stringify(reservation)}`)
    }
    const paid = await fetch(`${suite.server.url}/api/v1/reservations/${reservation.id}/payments`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${reservation.token}` },
      body: JSON.stringify({ phone: SIMULATOR_PHONES.success }),
    })
    expect(paid.status, await paid.clone().text()).toBe(202)
  }

  it('the organiser cancels an event and watches every refund complete', async () => {
    const tenant = await createTenant(suite.db)
    await giveMpesaCredentials(suite.db, ring, tenant.id)
    const { event, ticketTypes } = await createEvent(suite.db, tenant.id, {
      title: unique('Kisumu Lakeside Festival'), ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 20 }],
    })
    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    for (const quantity of [1, 2, 3]) await buy(event.id, ticketTypes[0]!.id, quantity)
    const completed = () => asSystem(suite.db, (trx) => trx.selectFrom('transactions').select('id')
      .where('event_id', '=', event.id).where('status', '=', 'completed').execute()).then((rows) => rows.length)
    for (let i = 0; i < 60 && (await completed()) < 3; i++) await new Promise((resolve) => setTimeout(resolve, 250))
    expect(await completed(), JSON.stringify({ callbacks: sim.state.callbacks.map((c) => [c.url.slice(0, 40), c.ok, c.error]), prompts: sim.state.prompts.map((p) => p.status) })).toBe(3)

    const page = await watchedPage(suite.browser, { viewport: DESKTOP_VIEWPORT })
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(manager.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.goto(`${suite.server.url}/manage/events/${event.id}`)
    // the deliberate second tap: open the danger zone, then confirm
    await page.locator('summary', { hasText: 'Cancel event' }).click()
    await screenshot(page, 'cancellation-1-confirm')
    await page.locator('.danger-zone').getByRole('button', { name: 'Cancel event' }).click()
    await expect.poll(() => page.locator('.notice').first().textContent())
      .toContain('Event cancelled. Every ticket is cancelled and every payment is being refunded.')
    await expectCleanPage(page, 'event cancelled')

    await page.getByRole('link', { name: 'Refund progress' }).click()
    await expect.poll(() => page.locator('[data-progress="total"]').textContent()).toMatch(/^3 · KES\s9,000$/)
    expect(await page.locator('[data-progress="completed"]').textContent()).toMatch(/^0 · KES\s0$/)
    await screenshot(page, 'cancellation-2-refunds-to-send')
    await expectCleanPage(page, 'refund progress, before')

    // the scheduler's ticks send the reversals; the page follows by itself (htmx polling)
    const services: BackgroundServices = {
      secretKeys: ring, daraja: { baseUrlOverride: 'http://daraja.test', fetch: darajaFetch }, scheduler: postgresScheduler(suite.db),
    }
    const ticking = setInterval(() => void tick(suite.db, services, new Date()).catch(() => {}), 500)
    try {
      await expect.poll(() => page.locator('[data-progress="completed"]').textContent(), { timeout: 30_000 }).toMatch(/^3 · KES\s9,000$/)
    } finally {
      clearInterval(ticking)
    }
    await expect.poll(() => page.locator('#refund-progress .notice').textContent()).toContain('All refunds are finished.')
    expect(await page.locator('tr[data-refund="completed"]').count()).toBe(3)
    await screenshot(page, 'cancellation-3-refunds-done')
    await expectCleanPage(page, 'refund progress, done')
    expect(sim.state.reversals.map((r) => [r.amount, r.resultCode]).sort()).toEqual([[1500, 0], [3000, 0], [4500, 0]])

    await page.goto(`${suite.server.url}/manage/payments?event=${event.id}`)
    expect(await page.locator('ul.refunds li[data-refund="completed"]').count()).toBe(3)
    await screenshot(page, 'cancellation-4-payments')
    await expectCleanPage(page, 'payments after refunds')
  })

  it('a holder of a postponed event asks for their money back on a phone, and sees their tickets cancelled', async () => {
    const tenant = await createTenant(suite.db)
    await giveMpesaCredentials(suite.db, ring, tenant.id)
    const { event, ticketTypes } = await createEvent(suite.db, tenant.id, {
      title: unique('Eldoret Gospel Night'), ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 10 }],
    })
    const buyer = await createAccount(suite.db)
    await buy(event.id, ticketTypes[0]!.id, 2, buyer.id)
    const active = () => asSystem(suite.db, (trx) => trx.selectFrom('tickets').select('id').where('event_id', '=', event.id)
      .where('user_id', '=', buyer.id).where('status', '=', 'active').execute()).then((rows) => rows.length)
    await expect.poll(active, { timeout: 15_000 }).toBe(2)
    // the organiser moved it (tests/events/postponement.test.ts covers that form); refunds stay open for a few days
    await asSystem(suite.db, (trx) => trx.updateTable('events').set({
      postponed_from: event.starts_at, starts_at: new Date(event.starts_at.getTime() + 14 * 86_400_000),
      refund_deadline: new Date(Date.now() + 3 * 86_400_000),
    }).where('id', '=', event.id).execute())

    const page = await watchedPage(suite.browser, { viewport: PHONE_VIEWPORT })
    await page.goto(`${suite.server.url}/login`)
    await page.getByLabel('Email').fill(buyer.email!)
    await page.getByLabel('Password').fill(TEST_PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.goto(`${suite.server.url}/tickets`)
    await expect.poll(() => page.locator('[data-refund-offer] h2').textContent()).toBe('Ask for a refund')
    await screenshot(page, 'cancellation-5-refund-offer')
    await expectCleanPage(page, 'tickets with a refund offer')
    await page.getByRole('button', { name: 'Refund my tickets' }).click()
    await expect.poll(() => page.locator('.notice').first().textContent()).toContain('Your refund has started.')
    expect(await page.locator('.badge[data-status="cancelled"]').count()).toBe(2)
    expect(await page.locator('.cards svg').count()).toBe(0)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width)
    await screenshot(page, 'cancellation-6-tickets-cancelled')
    await expectCleanPage(page, 'tickets cancelled')
    expect(await active()).toBe(0)
  })

  it('the organiser records a refund M-Pesa would not make, once they have sent the money by hand', async () => {
    const tenant = await createTenant(suite.db)
    await giveMpesaCredentials(suite.db, ring, tenant.id)
    const { event, ticketTypes } = await createEvent(suite.db, tenant.id, {
      title: unique('Nakuru Flamingo Run'), ticketTypes: [{ name: 'Regular', price_minor: 120_000, capacity: 10 }],
    })
    const manager = await createAccount(suite.db, { tenantId: tenant.id, membership: 'manager' })
    await buy(event.id, ticketTypes[0]!.id, 2)
    const payment = () => asSystem(suite.db, (trx) => trx.selectFrom('transactions').selectAll().where('event_id', '=', event.id).executeTakeFirst())
    await expect.poll(async () => (await payment())?.status, { timeout: 15_000 }).toBe('completed')
    const paid = (await payment())!
    // a partial refund M-Pesa refused three times (tests/payments/refunds-by-hand.test.ts takes it there for real)
    const refund = await asSystem(suite.db, (trx) => trx.insertInto('refunds').values({
      tenant_id: tenant.id, event_id: event.id, transaction_id: paid.id, amount_minor: 120_000, reason: 'organiser',
      note: 'One friend cannot come', status: 'manual', attempts: 3, result_code: 'reversal_failed:R000002',
    }).returning('id').executeTakeFirstOrThrow())

    for (const viewport of [DESKTOP_VIEWPORT, PHONE_VIEWPORT]) {
      const page = await watchedPage(suite.browser, { viewport })
      await page.goto(`${suite.server.url}/login`)
      await page.getByLabel('Email').fill(manager.email!)
      await page.getByLabel('Password').fill(TEST_PASSWORD)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.goto(`${suite.server.url}/manage/events/${event.id}/refunds`)
      if (viewport === PHONE_VIEWPORT) {
        await expect.poll(() => page.locator('tr[data-refund="completed"]').count()).toBe(1)
        await screenshot(page, 'refund-by-hand-3-phone')
        await expectCleanPage(page, 'refund recorded, phone')
        break
      }
      await page.getByRole('link', { name: 'Record as refunded' }).click()
      await expect.poll(() => page.locator(`#refund-${refund.id} h2`).textContent()).toMatch(/KES\s1,200 to refund by hand/)
      await screenshot(page, 'refund-by-hand-1-form')
      await expectCleanPage(page, 'refund by hand form')
      await page.getByRole('button', { name: 'Mark as refunded' }).click()
      await expect.poll(() => page.getByLabel(/Your reference/).evaluate((input) => (input as HTMLInputElement).validity.valueMissing)).toBe(true)
      await page.getByLabel(/Your reference/).fill('QKX81HD3RT')
      await page.getByRole('button', { name: 'Mark as refunded' }).click()
      await expect.poll(() => page.locator('.notice').first().textContent()).toMatch(/Recorded: KES\s1,200 was refunded by hand\./)
      expect(await page.locator('tr[data-refund="completed"]').textContent()).toContain('QKX81HD3RT')
      await screenshot(page, 'refund-by-hand-2-recorded')
      await expectCleanPage(page, 'refund recorded')
      await page.close()
    }
    expect((await payment())).toMatchObject({ status: 'partially_refunded', refunded_minor: 120_000 })
  })
})
