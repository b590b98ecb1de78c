/**
 * The edges of payments found in review: where the callback URL may point, a late payer whose own
 * ticket is the only one left, purchases of two types at once, Daraja timing out or refusing, queries
 * that keep failing, reversals with no answer, amounts M-Pesa cannot take, and holds kept by prompts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { sharedDatabase, type Database } from '../../src/db/database.ts'
import type { FetchFn } from '../../src/lib/fetch.ts'
import { requestRefund } from '../../src/payments/refunds.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, JSON_HEADERS, successBody, type PaymentKit } from '../support/payments.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const json = JSON_HEADERS

async function holdFor(options: { types?: number; capacity?: number; quantity?: number; price?: number } = {}) {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, {
    ticketTypes: Array.from({ length: options.types ?? 1 }, (_, i) => ({ name: `T${i}`, price_minor: options.price ?? 100_000, capacity: options.capacity ?? 10 })),
  })
  const { reservation } = await createReservation(db, {
    eventId: event.id, items: ticketTypes.map((type) => ({ ticketTypeId: type.id, quantity: options.quantity ?? 1 })), userId: null, now: kit.clock.now(),
  })
  return { tenant, event, ticketTypes, reservation, auth: { ...json, authorization: `Bearer ${reservation.token}` } }
}

function pay(app: typeof kit.app, hold: Awaited<ReturnType<typeof holdFor>>, phone = '0712000111', headers: Record<string, string> = {}) {
  return app.request(`/api/v1/reservations/${hold.reservation.id}/payments`, {
    method: 'POST', headers: { ...hold.auth, ...headers }, body: JSON.stringify({ phone }),
  })
}

const paymentsOf = (reservationId: string) => asSystem(db, (trx) =>
  trx.selectFrom('transactions').selectAll().where('reservation_id', '=', reservationId).orderBy('created_at').execute())

describe('where Daraja calls back', () => {
  it('in production: only PUBLIC_URL, never the Host header; without PUBLIC_URL no payment starts', async () => {
    const production = { ...TEST_CONFIG, mode: 'production' as const, darajaBaseUrl: 'http://daraja.test' }
    const deps = { database: sharedDatabase(db), clock: kit.clock.now, secretKeys: kit.ring, darajaFetch: kit.services.daraja.fetch, log: () => {} }
    const without = createApp({ ...deps, config: production })
    const refused = await pay(without, await holdFor())
    expect(refused.status).toBe(409)
    expect((await refused.json()).error.message).toContain('cannot take M-Pesa payments yet')

    const withUrl = createApp({ ...deps, config: { ...production, publicUrl: 'https://tikiti.example' } })
    const hold = await holdFor()
    expect((await pay(withUrl, hold, '0712000111', { host: 'attacker.example' })).status).toBe(202)
    expect(kit.sim.state.prompts.at(-1)!.callbackUrl).toMatch(/^https:\/\/tikiti\.example\/payments\/mpesa\/callback\//)
  })
})

describe('late payers and many buyers at once', () => {
  it('never completes a late payment with fewer tickets than paid for: its own last ticket is not its stand-in', async () => {
    const hold = await holdFor({ capacity: 2, quantity: 2 })
    expect((await pay(kit.app, hold)).status).toBe(202)
    const prompt = kit.sim.state.prompts.at(-1)!
    kit.clock.advance(20 * 60_000)
    try {
      await createReservation(db, { eventId: hold.event.id, items: [{ ticketTypeId: hold.ticketTypes[0]!.id, quantity: 1 }], userId: null, now: kit.clock.now() })
      await kit.app.request(prompt.callbackUrl, { method: 'POST', headers: json, body: JSON.stringify(successBody(prompt.checkoutRequestId, { amount: 2000 })) })
      const [payment] = await paymentsOf(hold.reservation.id)
      expect(payment!.status).toBe('refund_due')
      const active = await asSystem(db, (trx) => trx.selectFrom('tickets').select('id').where('reservation_id', '=', hold.reservation.id).where('status', '=', 'active').execute())
      expect(active).toHaveLength(0)
    } finally {
      kit.clock.advance(-20 * 60_000)
    }
  })

  it('completes many two-type purchases at the same moment, each exactly once (no deadlock on real Postgres)', async () => {
    const tenant = await createTenant(db)
    await giveMpesaCredentials(db, kit.ring, tenant.id)
    const count = 30
    const { event, ticketTypes } = await createEvent(db, tenant.id, {
      ticketTypes: [{ name: 'A', price_minor: 100_000, capacity: count }, { name: 'B', price_minor: 100_000, capacity: count }],
    })
    const prompts = []
    for (let i = 0; i < count; i++) {
      const { reservation } = await createReservation(db, { eventId: event.id, items: ticketTypes.map((type) => ({ ticketTypeId: type.id, quantity: 1 })), userId: null, now: kit.clock.now() })
      await kit.app.request(`/api/v1/reservations/${reservation.id}/payments`, {
        method: 'POST', headers: { ...json, authorization: `Bearer ${reservation.token}` }, body: JSON.stringify({ phone: '0712000111' }),
      })
      prompts.push(kit.sim.state.prompts.at(-1)!)
    }
    await Promise.all(prompts.map((prompt) => kit.app.request(prompt.callbackUrl, {
      method: 'POST', headers: json, body: JSON.stringify(successBody(prompt.checkoutRequestId, { amount: 2000 })),
    })))
    const statuses = await asSystem(db, (trx) => trx.selectFrom('transactions').select('status').where('event_id', '=', event.id).execute())
    expect(statuses.filter((row) => row.status === 'completed')).toHaveLength(count)
    const sold = await asSystem(db, (trx) => trx.selectFrom('ticket_types').select('sold').where('event_id', '=', event.id).execute())
    expect(sold.map((row) => row.sold)).toEqual([count, count])
  })
})

describe('when Daraja misbehaves', () => {
  /** The kit's app, with Daraja's answers for some paths replaced. */
  function appWith(override: (url: string) => Response | undefined) {
    const fetchFn: FetchFn = (input, init) => Promise.resolve(override(input) ?? kit.services.daraja.fetch!(input, init))
    return createApp({ config: { ...TEST_CONFIG, darajaBaseUrl: 'http://daraja-misbehaving.test' }, database: sharedDatabase(db), clock: kit.clock.now, secretKeys: kit.ring, darajaFetch: fetchFn, log: () => {} })
  }

  it('answers 503 without blaming the buyer when Daraja refuses our credentials', async () => {
    const app = appWith((url) => url.includes('/oauth/') ? new Response('{"errorCode":"400.008.01"}', { status: 400 }) : undefined)
    const hold = await holdFor()
    for (let i = 0; i < 6; i++) {
      const res = await pay(app, hold)
      expect(res.status).toBe(503)
      expect((await res.json()).error.code).toBe('mpesa_unavailable')
    }
    expect((await paymentsOf(hold.reservation.id)).every((payment) => payment.failure_reason?.startsWith('push_refused'))).toBe(true)
  })

  it('keeps a push Daraja did not answer pending, so its callback still completes it', async () => {
    const hold = await holdFor()
    let sent: { url: string; body: string } | undefined
    const fetchFn: FetchFn = async (input, init) => {
      if (input.includes('/stkpush/')) {
        sent = { url: input, body: String(init.body) }
        await kit.services.daraja.fetch!(input, init) // Daraja gets it and prompts the phone…
        throw new TypeError('network timeout') // …but its answer never reaches us
      }
      return kit.services.daraja.fetch!(input, init)
    }
    const app = createApp({ config: { ...TEST_CONFIG, darajaBaseUrl: 'http://daraja-slow.test' }, database: sharedDatabase(db), clock: kit.clock.now, secretKeys: kit.ring, darajaFetch: fetchFn, log: () => {} })
    const res = await pay(app, hold)
    expect(res.status).toBe(202)
    expect((await res.json()).status).toBe('pending')
    expect(sent).toBeDefined()
    const prompt = kit.sim.state.prompts.at(-1)!
    await kit.sim.answer(prompt.checkoutRequestId, 0)
    const [payment] = await paymentsOf(hold.reservation.id)
    expect(payment).toMatchObject({ status: 'completed', checkout_request_id: prompt.checkoutRequestId })
  })

  it('ends a payment as "no answer" when STK Query keeps failing, instead of leaving it pending for ever', async () => {
    const hold = await holdFor()
    const app = appWith((url) => url.includes('/stkpushquery/') ? new Response('{"errorCode":"500.003.02","errorMessage":"Spike arrest"}', { status: 500 }) : undefined)
    expect((await pay(app, hold)).status).toBe(202)
    const { JOB_HANDLERS } = await import('../../src/jobs/runner.ts')
    const { runDueJobs } = await import('../../src/jobs/scheduler.ts')
    const services = { ...kit.services, daraja: { baseUrlOverride: 'http://daraja-misbehaving.test', fetch: ((input, init) =>
      input.includes('/stkpushquery/') ? Promise.resolve(new Response('{"errorCode":"500.003.02","errorMessage":"Spike arrest"}', { status: 500 })) : kit.services.daraja.fetch!(input, init)) as FetchFn } }
    const start = kit.clock.now().getTime()
    try {
      for (let at = 91_000; at <= 400_000; at += 30_000) {
        kit.clock.current = new Date(start + at)
        await runDueJobs(db, services, JOB_HANDLERS, kit.clock.now(), 100)
      }
    } finally {
      kit.clock.current = new Date(start)
    }
    const [payment] = await paymentsOf(hold.reservation.id)
    expect(payment).toMatchObject({ status: 'failed', failure_reason: 'no_answer' })
  })

  it('does not ask for a second reversal when the first went unanswered', async () => {
    const hold = await holdFor({ capacity: 1 })
    expect((await pay(kit.app, hold)).status).toBe(202)
    const prompt = kit.sim.state.prompts.at(-1)!
    kit.clock.advance(20 * 60_000)
    try {
      await createReservation(db, { eventId: hold.event.id, items: [{ ticketTypeId: hold.ticketTypes[0]!.id, quantity: 1 }], userId: null, now: kit.clock.now() })
      await kit.sim.answer(prompt.checkoutRequestId, 0)
      const [payment] = await paymentsOf(hold.reservation.id)
      expect(payment!.status).toBe('refund_due')
      const silent: FetchFn = (input, init) => input.includes('/reversal/') ? Promise.reject(new TypeError('timeout')) : kit.services.daraja.fetch!(input, init)
      await requestRefund(db, { ...kit.services, daraja: { ...kit.services.daraja, fetch: silent } }, payment!.id, kit.clock.now())
      await requestRefund(db, kit.services, payment!.id, kit.clock.now())
      const [after] = await paymentsOf(hold.reservation.id)
      expect(after).toMatchObject({ status: 'refund_requested', refund_reason: 'reversal_unconfirmed' })
    } finally {
      kit.clock.advance(-20 * 60_000)
    }
  })
})

describe('what M-Pesa cannot take, and how long prompts keep a hold', () => {
  it('refuses amounts with cents with a clear reason and no payment row', async () => {
    const hold = await holdFor({ price: 150_050 })
    const res = await pay(kit.app, hold)
    expect(res.status).toBe(409)
    expect((await res.json()).error.code).toBe('amount_not_payable')
    expect(await paymentsOf(hold.reservation.id)).toHaveLength(0)
  })

  it('extends a hold for each prompt, but never past 30 minutes from its start', async () => {
    const hold = await holdFor()
    const start = kit.clock.now().getTime()
    try {
      // a different phone each time, each prompt cancelled: no failure limit stops this buyer
      for (let minute = 0; minute <= 27; minute += 3) {
        kit.clock.current = new Date(start + minute * 60_000)
        expect((await pay(kit.app, hold, `07130000${String(minute).padStart(2, '0')}`)).status).toBe(202)
        await kit.sim.answer(kit.sim.state.prompts.at(-1)!.checkoutRequestId, 1032)
      }
      const reservation = await asSystem(db, (trx) => trx.selectFrom('reservations').select(['expires_at', 'created_at']).where('id', '=', hold.reservation.id).executeTakeFirstOrThrow())
      expect(reservation.expires_at.getTime()).toBe(reservation.created_at.getTime() + 30 * 60_000)
    } finally {
      kit.clock.current = new Date(start)
    }
  })
})
