/**
 * A resale to test: an organiser with M-Pesa (the Daraja simulator), an event that allows resale (cap 120 %,
 * organiser's fee 10 %) with a ticket of KES 1,000 sold to a seller with a confirmed phone, a scanner at its
 * gate, its manager and another organiser's manager.
 */
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { scanBody, sellWithCodes } from '../scanning/gate-fixtures.ts'
import { TestClient } from '../support/client.ts'
import { asSystem, createAccount, createEvent, createTenant } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, JSON_HEADERS } from '../support/payments.ts'
import { signIn } from '../support/purchases.ts'

export const FACE = 100_000
export const CAP = 120_000

/** A Kenyan number of its own, so no other test's messages to it are mixed in. */
export function freshPhone() {
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
  return { local: `07${digits}`, wa: `2547${digits}` }
}

export async function resaleKit(db: Database) {
  const kit = await createPaymentKit(db)
  const tenant = await createTenant(db)
  const otherTenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: FACE, capacity: 10 }] })
  await asSystem(db, (trx) => trx.updateTable('events').set({ allow_resale: true, resale_price_cap_pct: 120, resale_fee_pct: 10 })
    .where('id', '=', event.id).execute())
  const sellerPhone = freshPhone()
  const seller = await createAccount(db)
  await asSystem(db, (trx) => trx.updateTable('users').set({ phone: sellerPhone.wa, phone_verified_at: new Date() }).where('id', '=', seller.id).execute())
  const [ticket] = await sellWithCodes(db, kit.ring, event.id, ticketTypes[0]!.id, 1, seller.id)
  const scanner = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })
  await asSystem(db, (trx) => trx.insertInto('scanner_assignments').values({ tenant_id: tenant.id, event_id: event.id, user_id: scanner.id }).execute())
  const manager = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
  const foreignManager = await createAccount(db, { tenantId: otherTenant.id, membership: 'manager' })
  const otherBuyer = await createAccount(db)
  const clients = {
    seller: await signIn(kit, seller), scanner: await signIn(kit, scanner), manager: await signIn(kit, manager),
    foreignManager: await signIn(kit, foreignManager), other: await signIn(kit, otherBuyer), anonymous: new TestClient(kit.app),
  }

  /** The seller lists the ticket through the API. */
  const list = (priceMinor: number, extra: Record<string, unknown> = {}, client = clients.seller, ticketId = ticket!.id) =>
    client.postJson(`/api/v1/tickets/${ticketId}/listings`, { priceMinor, ...extra })
  const listOk = async (priceMinor = CAP) => {
    const res = await list(priceMinor)
    if (res.status !== 201) throw new Error(`listing failed: ${res.status} ${await res.text()}`)
    return (await res.json() as { id: string }).id
  }
  /** A buyer without an account holds the listing: the reservation and its token. */
  const hold = async (listingId: string) => {
    const res = await kit.app.request(`/api/v1/listings/${listingId}/purchase`, { method: 'POST', headers: JSON_HEADERS })
    return { res, body: res.status === 201 ? await res.json() as { id: string; token: string; expiresAt: string } : undefined }
  }
  /** Pays a hold: the simulator's paying number answers by itself; any other number leaves the prompt on the phone. */
  const pay = async (reservation: { id: string; token: string }, phone: string = SIMULATOR_PHONES.success) => {
    const res = await kit.app.request(`/api/v1/reservations/${reservation.id}/payments`, {
      method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${reservation.token}` }, body: JSON.stringify({ phone }),
    })
    const prompt = kit.sim.state.prompts.at(-1)
    await kit.sim.settle()
    return { res, paymentId: res.status === 202 ? (await res.json() as { id: string }).id : undefined, checkoutRequestId: prompt?.checkoutRequestId }
  }
  const scan = async (code: string) =>
    (await clients.scanner.postJson(`/api/v1/events/${event.id}/scans`, scanBody(code))).json() as Promise<{ result: string; reason?: string }>
  const ticketRow = () => asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('id', '=', ticket!.id).executeTakeFirstOrThrow())
  const listingRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('marketplace_listings').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const listings = () => asSystem(db, (trx) => trx.selectFrom('marketplace_listings').selectAll().where('event_id', '=', event.id).execute())
  const paymentRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const payouts = () => asSystem(db, (trx) => trx.selectFrom('payouts').selectAll().where('event_id', '=', event.id).execute())
  const refundsOf = (paymentId: string) => asSystem(db, (trx) => trx.selectFrom('refunds').selectAll().where('transaction_id', '=', paymentId).execute())

  return {
    kit, tenant, otherTenant, event, otherBuyer, type: ticketTypes[0]!, seller, sellerPhone, ticket: ticket!, clients,
    list, listOk, hold, pay, scan, ticketRow, listingRow, listings, paymentRow, payouts, refundsOf,
  }
}
