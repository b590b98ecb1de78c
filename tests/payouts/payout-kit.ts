/** Resale payments with their payout rows, as the marketplace writes them, for the payout tests. */
import type { Database } from '../../src/db/database.ts'
import { sweepPayouts } from '../../src/payouts/payout-sweep.ts'
import { asSystem, createAccount, createEvent, createTenant, createUser, unique } from '../support/fixtures.ts'
import { giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'

export const RESALE_PRICE = 200_000
export const COMMISSION = 10_000
export const ORGANISER_FEE = 20_000
/** What the seller gets: the price less the platform's commission and the organiser's resale fee. */
export const SELLER_NET = RESALE_PRICE - COMMISSION - ORGANISER_FEE

/** A tenant whose event had one ticket resold: the resale payment and its payout (due), and a manager. */
export async function resaleWithPayout(db: Database, kit: Pick<PaymentKit, 'ring' | 'clock'>, options: { phone?: string; initiator?: boolean; amountMinor?: number; tenantId?: string } = {}) {
  const tenantId = options.tenantId ?? (await createTenant(db)).id
  if (!options.tenantId) await giveMpesaCredentials(db, kit.ring, tenantId, { initiator: options.initiator })
  const { event, ticketTypes } = await createEvent(db, tenantId, { ticketTypes: [{ name: 'Regular', price_minor: 180_000, capacity: 5, sold: 1 }] })
  const seller = await createUser(db)
  const buyer = await createUser(db)
  const rows = await asSystem(db, async (trx) => {
    await trx.updateTable('events').set({ allow_resale: true, resale_price_cap_pct: 120, resale_fee_pct: 10 }).where('id', '=', event.id).execute()
    const ticket = await trx.selectFrom('tickets').select('id').where('ticket_type_id', '=', ticketTypes[0]!.id).where('status', '=', 'active')
      .executeTakeFirstOrThrow()
    const payment = await trx.insertInto('transactions').values({
      tenant_id: tenantId, ticket_id: ticket.id, event_id: event.id, user_id: buyer.id, transaction_type: 'resale',
      amount_minor: RESALE_PRICE, commission_minor: COMMISSION, status: 'completed', mpesa_phone: '254712000111',
      mpesa_receipt_number: unique('RS').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 20), checkout_request_id: unique('ws_CO'),
      origin: 'http://localhost', completed_at: kit.clock.now(),
    }).returningAll().executeTakeFirstOrThrow()
    const payout = await trx.insertInto('payouts').values({
      tenant_id: tenantId, event_id: event.id, transaction_id: payment.id, seller_id: seller.id,
      phone: options.phone ?? '254711222333', amount_minor: options.amountMinor ?? SELLER_NET, organiser_fee_minor: ORGANISER_FEE,
      next_attempt_at: kit.clock.now(), created_at: kit.clock.now(), updated_at: kit.clock.now(),
    }).returningAll().executeTakeFirstOrThrow()
    return { payment, payout }
  })
  return { tenantId, event, seller, buyer, ...rows }
}

export async function managerOf(db: Database, tenantId: string) {
  return createAccount(db, { tenantId, membership: 'manager' })
}

export function payoutRow(db: Database, payoutId: string) {
  return asSystem(db, (trx) => trx.selectFrom('payouts').selectAll().where('id', '=', payoutId).executeTakeFirstOrThrow())
}

export function noticesOf(db: Database, eventId: string) {
  return asSystem(db, (trx) => trx.selectFrom('notifications').select(['type', 'channel', 'content']).where('event_id', '=', eventId)
    .orderBy('created_at').execute())
}

export function flagsOf(db: Database, transactionId: string) {
  return asSystem(db, (trx) => trx.selectFrom('payment_flags').select(['kind', 'detail']).where('transaction_id', '=', transactionId).execute())
}

/** One sweep at the kit's clock, then every simulated result delivered. */
export async function sweep(db: Database, kit: PaymentKit) {
  const tried = await sweepPayouts(db, kit.services, kit.clock.now(), 100)
  await kit.sim.settle()
  return tried
}
