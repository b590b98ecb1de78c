/**
 * Callback chaos (invariant 3): repeated, reordered, late, forged and malformed callbacks. Tickets are
 * issued exactly once per paid payment, nothing forged is accepted, and every callback gets Daraja's
 * "Accepted" at once, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, JSON_HEADERS, successBody, type PaymentKit } from '../support/payments.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const ACCEPTED = { ResultCode: 0, ResultDesc: 'Accepted' }
const json = JSON_HEADERS

/** An event of `capacity` tickets at KES 1,000 and a reservation of `quantity` with a payment started to `phone`. */
async function paymentFor(options: { phone?: string; quantity?: number; capacity?: number; initiator?: boolean } = {}) {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id, { initiator: options.initiator })
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: options.capacity ?? 10 }] })
  const type = ticketTypes[0]!
  const { reservation } = await createReservation(db, {
    eventId: event.id, items: [{ ticketTypeId: type.id, quantity: options.quantity ?? 2 }], userId: null, now: kit.clock.now(),
  })
  const auth = { ...json, authorization: `Bearer ${reservation.token}` }
  const started = await kit.app.request(`/api/v1/reservations/${reservation.id}/payments`, {
    method: 'POST', headers: auth, body: JSON.stringify({ phone: options.phone ?? '0712000111' }),
  })
  expect(started.status).toBe(202)
  const payment = await started.json() as { id: string }
  const prompt = kit.sim.state.prompts.at(-1)!
  return { tenant, event, type, reservation, auth, paymentId: payment.id, prompt, callbackUrl: prompt.callbackUrl }
}

const failureBody = (checkoutRequestId: string, code = 1032) => ({
  Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: checkoutRequestId, ResultCode: code, ResultDesc: 'Request cancelled by user' } },
})

async function deliver(url: string, body: unknown) {
  const res = await kit.app.request(url, { method: 'POST', headers: json, body: typeof body === 'string' ? body : JSON.stringify(body) })
  expect(res.status).toBe(200)
  expect(await res.json()).toEqual(ACCEPTED)
}

async function state(reservationId: string, paymentId: string) {
  return asSystem(db, async (trx) => ({
    payment: await trx.selectFrom('transactions').selectAll().where('id', '=', paymentId).executeTakeFirstOrThrow(),
    reservation: await trx.selectFrom('reservations').select('status').where('id', '=', reservationId).executeTakeFirstOrThrow(),
    active: (await trx.selectFrom('tickets').select('id').where('reservation_id', '=', reservationId).where('status', '=', 'active').execute()).length,
    messages: (await trx.selectFrom('notifications').select('type').where('content', '@>', { transactionId: paymentId } as never).execute()).map((m) => m.type),
    flags: (await trx.selectFrom('payment_flags').select('kind').where('transaction_id', '=', paymentId).execute()).map((f) => f.kind),
  }))
}

const soldOf = (typeId: string) => asSystem(db, async (trx) =>
  (await trx.selectFrom('ticket_types').select('sold').where('id', '=', typeId).executeTakeFirstOrThrow()).sold)

describe('callbacks delivered many times, in any order', () => {
  it('issues the tickets once when the success callback comes three times (the simulator’s duplicate number)', async () => {
    const { reservation, paymentId, type } = await paymentFor({ phone: SIMULATOR_PHONES.duplicateCallbacks })
    await kit.sim.settle()
    expect(kit.sim.state.callbacks.filter((c) => c.url.includes(paymentId))).toHaveLength(3)
    const after = await state(reservation.id, paymentId)
    expect(after.payment.status).toBe('completed')
    expect(after.active).toBe(2)
    expect(after.messages).toEqual(['ticket_delivery'])
    expect(await soldOf(type.id)).toBe(2)
  })

  it(`issues once when the same success arrives three times at the same moment ${concurrencyNote}`, async () => {
    const { reservation, paymentId, prompt, callbackUrl, type } = await paymentFor()
    const body = successBody(prompt.checkoutRequestId, { receipt: 'SAMEONE123' })
    await Promise.all([deliver(callbackUrl, body), deliver(callbackUrl, body), deliver(callbackUrl, body)])
    const after = await state(reservation.id, paymentId)
    expect(after.active).toBe(2)
    expect(after.messages).toEqual(['ticket_delivery'])
    expect(await soldOf(type.id)).toBe(2)
  })

  it('keeps a success when a failure for the same push arrives after it, and honours a success that follows a failure', async () => {
    const first = await paymentFor()
    await deliver(first.callbackUrl, successBody(first.prompt.checkoutRequestId))
    await deliver(first.callbackUrl, failureBody(first.prompt.checkoutRequestId))
    expect((await state(first.reservation.id, first.paymentId)).payment.status).toBe('completed')

    const second = await paymentFor()
    await deliver(second.callbackUrl, failureBody(second.prompt.checkoutRequestId, 1037))
    expect((await state(second.reservation.id, second.paymentId)).payment.status).toBe('failed')
    // a success that contradicts the recorded failure counts only once STK Query confirms it
    await deliver(second.callbackUrl, successBody(second.prompt.checkoutRequestId))
    expect((await state(second.reservation.id, second.paymentId)).payment.status).toBe('failed')
    await kit.sim.answer(second.prompt.checkoutRequestId, 0) // the buyer did pay after all
    const after = await state(second.reservation.id, second.paymentId)
    expect(after.payment.status).toBe('completed')
    expect(after.active).toBe(2)
  })

  it('flags a payment made from another phone than the buyer’s, and keeps the sale', async () => {
    const { reservation, paymentId, prompt, callbackUrl } = await paymentFor()
    await deliver(callbackUrl, successBody(prompt.checkoutRequestId, { phone: 254799888777 }))
    const after = await state(reservation.id, paymentId)
    expect(after.payment.status).toBe('completed')
    expect(after.payment.paid_phone).toBe('254799888777')
    expect(after.flags).toEqual(['phone_mismatch'])
  })
})

describe('late callbacks', () => {
  it('honours a success after the hold ran out when the tickets are still free', async () => {
    const { reservation, paymentId, prompt, callbackUrl, type } = await paymentFor()
    kit.clock.advance(20 * 60_000)
    try {
      await deliver(callbackUrl, successBody(prompt.checkoutRequestId))
      const after = await state(reservation.id, paymentId)
      expect(after.payment.status).toBe('completed')
      expect(after.active).toBe(2)
      expect(await soldOf(type.id)).toBe(2)
    } finally {
      kit.clock.advance(-20 * 60_000)
    }
  })

  it('gives a late payer other free tickets of the same type when theirs were taken', async () => {
    const { reservation, paymentId, prompt, callbackUrl, event, type } = await paymentFor({ capacity: 5, quantity: 2 })
    kit.clock.advance(20 * 60_000)
    try {
      // after expiry another buyer takes 2 tickets: possibly this hold's rows
      await createReservation(db, { eventId: event.id, items: [{ ticketTypeId: type.id, quantity: 2 }], userId: null, now: kit.clock.now() })
      await deliver(callbackUrl, successBody(prompt.checkoutRequestId))
      const after = await state(reservation.id, paymentId)
      expect(after.payment.status).toBe('completed')
      expect(after.active).toBe(2)
      const held = await asSystem(db, (trx) => trx.selectFrom('tickets').select('id').where('ticket_type_id', '=', type.id)
        .where('status', '=', 'pending_payment').execute())
      expect(held).toHaveLength(2) // the other buyer still has theirs: nobody shares a ticket
    } finally {
      kit.clock.advance(-20 * 60_000)
    }
  })

  it('records a refund when the tickets are gone, tells the buyer, and reverses the payment', async () => {
    const { reservation, paymentId, prompt, event, type } = await paymentFor({ capacity: 2, quantity: 2 })
    kit.clock.advance(20 * 60_000)
    try {
      await createReservation(db, { eventId: event.id, items: [{ ticketTypeId: type.id, quantity: 2 }], userId: null, now: kit.clock.now() })
      await kit.sim.answer(prompt.checkoutRequestId, 0) // the buyer pays, late
      const after = await state(reservation.id, paymentId)
      expect(after.payment.status).toBe('refund_due')
      expect(after.active).toBe(0)
      expect(after.messages).toEqual(['refund_issued'])
      expect(after.flags).toEqual(['refund_due'])
      const view = await (await kit.app.request(`/api/v1/payments/${paymentId}`, { headers: { authorization: `Bearer ${reservation.token}` } })).json()
      expect(view).toMatchObject({ status: 'refund_due', reason: { code: 'refund' } })

      await kit.runJobs()
      await kit.sim.settle()
      expect(kit.sim.state.reversals.at(-1)).toMatchObject({ receipt: prompt.result!.receipt, amount: 2000, resultCode: 0 })
      expect((await state(reservation.id, paymentId)).payment.status).toBe('refunded')
      expect(await soldOf(type.id)).toBe(0)
    } finally {
      kit.clock.advance(-20 * 60_000)
    }
  })

  it('keeps a refund for the manager to make by hand when the organiser has no reversal credentials', async () => {
    const { reservation, paymentId, prompt, callbackUrl, event, type } = await paymentFor({ capacity: 1, quantity: 1, initiator: false })
    kit.clock.advance(20 * 60_000)
    try {
      await createReservation(db, { eventId: event.id, items: [{ ticketTypeId: type.id, quantity: 1 }], userId: null, now: kit.clock.now() })
      await deliver(callbackUrl, successBody(prompt.checkoutRequestId, { amount: 1000 }))
      await kit.runJobs()
      expect((await state(reservation.id, paymentId)).payment.status).toBe('refund_due')
    } finally {
      kit.clock.advance(-20 * 60_000)
    }
  })
})

describe('forged and malformed callbacks', () => {
  it('changes nothing for a wrong secret, a wrong amount, an unknown CheckoutRequestID, a reused receipt or a malformed body', async () => {
    const { reservation, paymentId, prompt, callbackUrl, type } = await paymentFor()
    const wrongSecret = callbackUrl.replace(/[^/]+$/, 'A'.repeat(43))
    const otherPayment = await paymentFor()
    await deliver(otherPayment.callbackUrl, successBody(otherPayment.prompt.checkoutRequestId, { receipt: 'TAKEN00001' }))
    const forgeries: Array<[string, unknown]> = [
      [wrongSecret, successBody(prompt.checkoutRequestId)],
      [callbackUrl.replace(paymentId, crypto.randomUUID()), successBody(prompt.checkoutRequestId)],
      [callbackUrl.replace(/\/[^/]+$/, ''), successBody(prompt.checkoutRequestId)],
      [callbackUrl, successBody(prompt.checkoutRequestId, { amount: 1 })],
      [callbackUrl, successBody('ws_CO_000000000000000000000')],
      [callbackUrl, successBody(prompt.checkoutRequestId, { receipt: 'TAKEN00001' })],
      [callbackUrl, '{"Body":'],
      [callbackUrl, 'not json at all'],
      [callbackUrl, { Body: { stkCallback: { CheckoutRequestID: prompt.checkoutRequestId, ResultCode: 0 } } }],
      [callbackUrl, { Body: { stkCallback: { ...successBody(prompt.checkoutRequestId).Body.stkCallback, CallbackMetadata: { Item: [] } } } }],
      [callbackUrl, []],
      [callbackUrl.replace(paymentId, 'not-a-uuid'), successBody(prompt.checkoutRequestId)],
    ]
    for (const [url, body] of forgeries) {
      const res = await kit.app.request(url, { method: 'POST', headers: json, body: typeof body === 'string' ? body : JSON.stringify(body) })
      if (res.status === 404) continue // a URL that is not a callback route at all
      expect(res.status).toBe(200)
      expect(await res.json()).toEqual(ACCEPTED)
    }
    const after = await state(reservation.id, paymentId)
    expect(after.payment.status).toBe('pending')
    expect(after.active).toBe(0)
    expect(await soldOf(type.id)).toBe(0)
    // the real one still works
    await deliver(callbackUrl, successBody(prompt.checkoutRequestId))
    expect((await state(reservation.id, paymentId)).active).toBe(2)
  })

  it('keeps the callback secret out of the request log', async () => {
    const lines: string[] = []
    const { createApp } = await import('../../src/app.ts')
    const { sharedDatabase } = await import('../../src/db/database.ts')
    const { TEST_CONFIG } = await import('../support/app.ts')
    const app = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), log: (line) => lines.push(line) })
    const { callbackUrl, paymentId } = await paymentFor()
    const secret = callbackUrl.split('/').pop()!
    await app.request(callbackUrl, { method: 'POST', headers: json, body: '{}' })
    expect(lines.join('\n')).toContain(paymentId)
    expect(lines.join('\n')).not.toContain(secret)
  })
})

describe('payments with no callback', () => {
  it('are settled by STK Query about 90 seconds after the push', async () => {
    const { reservation, paymentId } = await paymentFor({ phone: SIMULATOR_PHONES.noCallback })
    await kit.sim.settle()
    expect((await state(reservation.id, paymentId)).payment.status).toBe('pending')
    kit.clock.advance(91_000)
    try {
      await kit.runJobs()
      const after = await state(reservation.id, paymentId)
      expect(after.payment.status).toBe('completed')
      expect(after.active).toBe(2)
    } finally {
      kit.clock.advance(-91_000)
    }
  })

  it('ask again while the prompt is unanswered, and end as "no answer" after five minutes', async () => {
    const { reservation, paymentId } = await paymentFor()
    const start = kit.clock.now().getTime()
    try {
      for (const at of [91_000, 121_000, 151_000, 181_000, 211_000, 241_000, 271_000, 301_000, 331_000]) {
        kit.clock.current = new Date(start + at)
        await kit.runJobs()
      }
      const after = await state(reservation.id, paymentId)
      expect(after.payment.status).toBe('failed')
      expect(after.payment.failure_reason).toBe('no_answer')
      const view = await (await kit.app.request(`/api/v1/payments/${paymentId}`, { headers: { authorization: `Bearer ${reservation.token}` } })).json()
      expect(view.reason.code).toBe('no_answer')
    } finally {
      kit.clock.current = new Date(start)
    }
  })

  it('are queried at once when their hold runs out, and the sweep leaves the hold to the payment', async () => {
    const { reservation, paymentId } = await paymentFor({ phone: SIMULATOR_PHONES.noCallback })
    await kit.sim.settle()
    const start = kit.clock.now().getTime()
    try {
      kit.clock.current = new Date(start + 15 * 60_000)
      const { expireHolds } = await import('../../src/jobs/expire-holds.ts')
      await expireHolds(db, {}, kit.clock.now(), kit.services)
      expect((await state(reservation.id, paymentId)).reservation.status).toBe('held')
      await kit.runJobs()
      const after = await state(reservation.id, paymentId)
      expect(after.payment.status).toBe('completed')
      expect(after.reservation.status).toBe('paid')
    } finally {
      kit.clock.current = new Date(start)
    }
  })
})
