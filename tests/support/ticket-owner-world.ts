/**
 * A ticket owner's world, for transfer and resale tests: an organiser with M-Pesa (the Daraja simulator), one
 * event of one type with the settings given, a ticket sold to a seller with a confirmed phone (their codes and
 * notices go to WhatsApp), a scanner at its gate, its manager, another organiser's manager, another buyer, and
 * each of them signed in.
 */
import type { Database } from '../../src/db/database.ts'
import type { EventTable } from '../../src/db/schema.ts'
import type { Updateable } from 'kysely'
import { sellWithCodes } from '../scanning/gate-fixtures.ts'
import { TestClient } from './client.ts'
import { asSystem, createAccount, createEvent, createTenant } from './fixtures.ts'
import { createPaymentKit, giveMpesaCredentials } from './payments.ts'
import { signIn } from './purchases.ts'

/** A Kenyan number of its own, so no other test's messages to it are mixed in. */
export function freshPhone() {
  const digits = String(Math.floor(Math.random() * 1e8)).padStart(8, '0')
  return { local: `07${digits}`, wa: `2547${digits}` }
}

export async function ticketOwnerWorld(db: Database, options: { priceMinor: number; event: Updateable<EventTable> }) {
  const kit = await createPaymentKit(db)
  const tenant = await createTenant(db)
  const otherTenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: options.priceMinor, capacity: 10 }] })
  await asSystem(db, (trx) => trx.updateTable('events').set(options.event).where('id', '=', event.id).execute())
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
  return { kit, tenant, otherTenant, event, type: ticketTypes[0]!, seller, sellerPhone, ticket: ticket!, otherBuyer, clients }
}
