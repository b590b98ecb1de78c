/** Purchases for refund and cancellation tests: holds, paid orders and prompts still on the buyer's phone. */
import { expect } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { createReservation } from '../../src/tickets/reservations.ts'
import { TestClient } from './client.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD } from './fixtures.ts'
import { giveMpesaCredentials, JSON_HEADERS, type PaymentKit } from './payments.ts'

export interface Purchase {
  reservationId: string
  token: string
  paymentId?: string
  checkoutRequestId?: string
}

/**
 * A hold of `quantity` tickets; `pay: 'now'` pays it (the simulator's paying number), `'prompt'` sends a
 * prompt that waits for the buyer (answer it with kit.sim.answer), `'none'` leaves it held.
 */
export async function purchase(
  kit: PaymentKit, db: Database, eventId: string, typeId: string, options: { quantity?: number; pay: 'now' | 'prompt' | 'none'; phone?: string; userId?: string },
): Promise<Purchase> {
  const { reservation } = await createReservation(db, {
    eventId, items: [{ ticketTypeId: typeId, quantity: options.quantity ?? 1 }], userId: options.userId ?? null, now: kit.clock.now(),
  })
  if (options.pay === 'none') return { reservationId: reservation.id, token: reservation.token! }
  const phone = options.phone ?? (options.pay === 'now' ? SIMULATOR_PHONES.success : `2547${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`)
  const started = await kit.app.request(`/api/v1/reservations/${reservation.id}/payments`, {
    method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${reservation.token}` }, body: JSON.stringify({ phone }),
  })
  expect(started.status).toBe(202)
  const payment = await started.json() as { id: string }
  const prompt = kit.sim.state.prompts.at(-1)!
  await kit.sim.settle()
  return { reservationId: reservation.id, token: reservation.token!, paymentId: payment.id, checkoutRequestId: prompt.checkoutRequestId }
}

export async function signIn(kit: PaymentKit, account: { email: string | null }) {
  const client = new TestClient(kit.app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return client
}

/**
 * A new organiser (with M-Pesa credentials and a manager account) whose one event has sold `quantity` tickets
 * of one type at `priceMinor`, paid at once: the order, its tickets and its M-Pesa receipt.
 */
export async function paidOrderOfNewOrganiser(kit: PaymentKit, db: Database, quantity: number, priceMinor: number) {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: priceMinor, capacity: 10 }] })
  const order = await purchase(kit, db, event.id, ticketTypes[0]!.id, { quantity, pay: 'now' })
  const account = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
  const state = await eventState(db, event.id)
  return {
    tenant, event, order, account, receipt: state.payments[0]!.mpesa_receipt_number!,
    tickets: state.tickets.filter((t) => t.transaction_id === order.paymentId),
  }
}

/** Every ticket, payment, refund and notice of an event, as the database holds them. */
export function eventState(db: Database, eventId: string) {
  return asSystem(db, async (trx) => ({
    event: await trx.selectFrom('events').selectAll().where('id', '=', eventId).executeTakeFirstOrThrow(),
    tickets: await trx.selectFrom('tickets').select(['id', 'status', 'qr_code', 'transaction_id', 'reservation_id']).where('event_id', '=', eventId).execute(),
    payments: await trx.selectFrom('transactions').selectAll().where('event_id', '=', eventId).orderBy('created_at').execute(),
    refunds: await trx.selectFrom('refunds').selectAll().where('event_id', '=', eventId).orderBy('created_at').execute(),
    reservations: await trx.selectFrom('reservations').select(['id', 'status']).where('event_id', '=', eventId).execute(),
    notices: await trx.selectFrom('notifications').select(['type', 'content', 'channel', 'status']).where('event_id', '=', eventId).execute(),
    flags: await trx.selectFrom('payment_flags').select(['kind', 'transaction_id']).where('event_id', '=', eventId).execute(),
  }))
}
