/**
 * A resale to test: an organiser with M-Pesa (the Daraja simulator), an event that allows resale (cap 120 %,
 * organiser's fee 10 %) with a ticket of KES 1,000 sold to a seller with a confirmed phone, a scanner at its
 * gate, its manager and another organiser's manager.
 */
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { scanBody } from '../scanning/gate-fixtures.ts'
import { asSystem } from '../support/fixtures.ts'
import { JSON_HEADERS } from '../support/payments.ts'
import { ticketOwnerWorld } from '../support/ticket-owner-world.ts'

export const FACE = 100_000
export const CAP = 120_000

export async function resaleKit(db: Database) {
  const world = await ticketOwnerWorld(db, { priceMinor: FACE, event: { allow_resale: true, resale_price_cap_pct: 120, resale_fee_pct: 10 } })
  const { kit, event, clients, ticket } = world

  /** The seller lists the ticket through the API. */
  const list = (priceMinor: number, extra: Record<string, unknown> = {}, client = clients.seller, ticketId = ticket.id) =>
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
  const ticketRow = () => asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('id', '=', ticket.id).executeTakeFirstOrThrow())
  const listingRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('marketplace_listings').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const listings = () => asSystem(db, (trx) => trx.selectFrom('marketplace_listings').selectAll().where('event_id', '=', event.id).execute())
  const paymentRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('transactions').selectAll().where('id', '=', id).executeTakeFirstOrThrow())
  const payouts = () => asSystem(db, (trx) => trx.selectFrom('payouts').selectAll().where('event_id', '=', event.id).execute())
  const refundsOf = (paymentId: string) => asSystem(db, (trx) => trx.selectFrom('refunds').selectAll().where('transaction_id', '=', paymentId).execute())

  return {
    ...world,
    list, listOk, hold, pay, scan, ticketRow, listingRow, listings, paymentRow, payouts, refundsOf,
  }
}
