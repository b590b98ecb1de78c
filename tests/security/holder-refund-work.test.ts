/**
 * A holder's refund request after a postponement touches only the holder's own payments: its work and
 * its locks do not grow with the other buyers' payments (a request, repeated, would otherwise lock every
 * payment of a popular event and hold up their callbacks and refunds).
 */
import type { KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SYSTEM, withContext } from '../../src/db/request-context.ts'
import { requestPostponementRefund } from '../../src/tickets/refund-request.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, DAY } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'
import { purchase } from '../support/purchases.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

function counter() {
  const plugin = {
    statements: 0,
    transformQuery(args: Parameters<KyselyPlugin['transformQuery']>[0]) {
      plugin.statements++
      return args.node
    },
    transformResult(args: Parameters<KyselyPlugin['transformResult']>[0]) {
      return Promise.resolve(args.result)
    },
  }
  return plugin
}

/** A postponed event where the holder has one paid ticket and `others` other buyers one each. */
async function postponedEvent(others: number) {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 100_000, capacity: 20 }] })
  const holder = await createAccount(db)
  for (let i = 0; i < others; i++) await purchase(kit, db, event.id, ticketTypes[0]!.id, { pay: 'now', userId: (await createAccount(db)).id })
  await purchase(kit, db, event.id, ticketTypes[0]!.id, { pay: 'now', userId: holder.id })
  await asSystem(db, (trx) => trx.updateTable('events').set({ refund_deadline: new Date(kit.clock.now().getTime() + DAY) }).where('id', '=', event.id).execute())
  return { eventId: event.id, holderId: holder.id }
}

async function statementsOfRefund(others: number) {
  const { eventId, holderId } = await postponedEvent(others)
  const count = counter()
  const refunded = await withContext(db, SYSTEM, (trx) => requestPostponementRefund(trx.withPlugin(count), holderId, eventId, kit.clock.now()))
  expect(refunded).toBe(100_000)
  return count.statements
}

describe('a holder’s postponement refund', () => {
  it('does the same work whatever the number of other buyers', async () => {
    const alone = await statementsOfRefund(0)
    const crowd = await statementsOfRefund(6)
    expect(crowd).toBe(alone)
  }, 120_000)
})
