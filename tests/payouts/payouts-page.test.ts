/**
 * The managers' payouts page and "Mark paid": every payout of the event with its state, amount,
 * attempts and result (the seller's phone masked, in full only where the manager must pay it by hand);
 * a manual payout marked paid with its M-Pesa reference; bad input refused with nothing changed; another
 * tenant's manager gets 404 and a scanner 403. The payments page and its CSV show the resale payment
 * (by its type) and a line per payout, and the money adds up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { B2C_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { payoutStateWords } from '../../src/payouts/payout-state.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount } from '../support/fixtures.ts'
import { createPaymentKit, type PaymentKit } from '../support/payments.ts'
import { signIn } from '../support/purchases.ts'
import { COMMISSION, managerOf, noticesOf, ORGANISER_FEE, payoutRow, RESALE_PRICE, resaleWithPayout, SELLER_NET, sweep } from './payout-kit.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

/** One event with a paid payout and one to pay by hand (refused three times), and its manager signed in. */
async function eventWithPayouts() {
  const paid = await resaleWithPayout(db, kit, { phone: '254711000201' })
  const manual = await resaleWithPayout(db, kit, { phone: B2C_PHONES.refused, tenantId: paid.tenantId })
  await asSystem(db, async (trx) => {
    await trx.updateTable('payouts').set({ event_id: paid.event.id }).where('id', '=', manual.payout.id).execute()
    await trx.updateTable('transactions').set({ event_id: paid.event.id }).where('id', '=', manual.payment.id).execute()
  })
  for (let round = 0; round < 3; round++) {
    await sweep(db, kit)
    kit.clock.advance(10 * 60_000)
  }
  const manager = await signIn(kit, await managerOf(db, paid.tenantId))
  return { paid, manual, manager, eventId: paid.event.id }
}

describe('the payouts page', () => {
  it('lists every payout with its state, amount, attempts and result; phones masked except to pay by hand', async () => {
    const { paid, manual, manager, eventId } = await eventWithPayouts()
    expect(await payoutRow(db, manual.payout.id)).toMatchObject({ status: 'manual', attempts: 3 })
    const res = await manager.get(`/manage/events/${eventId}/payouts`)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`Payouts for ${paid.event.title}`)
    expect(html).toContain('0711 ••• 201')
    expect(html).not.toContain('0711 000 201')
    expect(html).toContain('0700 003 001') // in full: the manager pays it by hand
    expect(html).toContain('KES 1,700')
    expect(html).toContain('by M-Pesa B2C')
    expect(html).toContain('Pay by hand')
    expect(html).toContain('can&#39;t be supported by the service')
    expect(html).toContain((await payoutRow(db, paid.payout.id)).receipt!)
    expect(html.match(/action="[^"]*\/paid"/g)).toEqual([`action="/manage/events/${eventId}/payouts/${manual.payout.id}/paid"`])
    expect(html).toMatch(/data-payouts="completed">1 · KES 1,700/)
    expect(html).toMatch(/data-payouts="manual">1 · KES 1,700/)
  })

  it('marks a manual payout paid with its M-Pesa reference, and tells the seller', async () => {
    const { manual, manager, eventId } = await eventWithPayouts()
    const res = await manager.post(`/manage/events/${eventId}/payouts/${manual.payout.id}/paid`, { reference: ' tlk9zz12ab ', note: 'Sent from the office phone' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/manage/events/${eventId}/payouts?paid=${manual.payout.id}`)
    expect(await (await manager.get(res.headers.get('location')!)).text()).toContain('Marked paid: KES 1,700 to 0700 ••• 001.')
    const row = await payoutRow(db, manual.payout.id)
    expect(row).toMatchObject({ status: 'completed', method: 'by_hand', receipt: 'TLK9ZZ12AB', note: 'Sent from the office phone' })
    expect(row.paid_by).not.toBeNull()
    const audit = await asSystem(db, (trx) => trx.selectFrom('audit_log').select(['action', 'actor_user_id', 'tenant_id']).where('target_id', '=', manual.payout.id).execute())
    expect(audit).toEqual([{ action: 'payout_marked_paid', actor_user_id: row.paid_by, tenant_id: manual.tenantId }])
    expect((await noticesOf(db, eventId)).filter((n) => (n.content as { to: string }).to === B2C_PHONES.refused).map((n) => n.type)).toEqual(['payout_manual', 'payout_sent'])
    // a second time: not waiting to be paid by hand any more
    const again = await manager.post(`/manage/events/${eventId}/payouts/${manual.payout.id}/paid`, { reference: 'TLK9ZZ12AC' })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('This payout is not waiting to be paid by hand.')
    expect(await payoutRow(db, manual.payout.id)).toEqual(row)
  })

  it('refuses bad input with a clear message and changes nothing', async () => {
    const { paid, manual, manager, eventId } = await eventWithPayouts()
    const before = await payoutRow(db, manual.payout.id)
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'Give the M-Pesa reference'],
      [{ reference: 'short' }, 'Give the M-Pesa reference'],
      [{ reference: 'TLK9-ZZ12AB' }, 'Give the M-Pesa reference'],
      [{ reference: 'T'.repeat(21) }, 'Give the M-Pesa reference'],
      [{ reference: 'TLK9ZZ12AB', note: 'n'.repeat(301) }, 'This is too long.'],
    ]
    for (const [form, message] of cases) {
      const res = await manager.post(`/manage/events/${eventId}/payouts/${manual.payout.id}/paid`, form)
      expect(res.status, JSON.stringify(form)).toBe(422)
      expect(await res.text()).toContain(message)
    }
    // a payout paid by B2C cannot be marked paid again
    expect((await manager.post(`/manage/events/${eventId}/payouts/${paid.payout.id}/paid`, { reference: 'TLK9ZZ12AB' })).status).toBe(409)
    expect((await manager.post(`/manage/events/${eventId}/payouts/not-a-uuid/paid`, { reference: 'TLK9ZZ12AB' })).status).toBe(404)
    expect((await manager.post(`/manage/events/${eventId}/payouts/00000000-0000-4000-8000-000000000000/paid`, { reference: 'TLK9ZZ12AB' })).status).toBe(404)
    expect((await manager.get('/manage/events/not-a-uuid/payouts')).status).toBe(404)
    expect(await payoutRow(db, manual.payout.id)).toEqual(before)
  })

  it('answers another tenant\'s manager 404 and a scanner 403, changing nothing', async () => {
    const { manual, eventId } = await eventWithPayouts()
    const other = await resaleWithPayout(db, kit, { phone: '254711000202' })
    const intruder = await signIn(kit, await managerOf(db, other.tenantId))
    expect((await intruder.get(`/manage/events/${eventId}/payouts`)).status).toBe(404)
    expect((await intruder.post(`/manage/events/${eventId}/payouts/${manual.payout.id}/paid`, { reference: 'TLK9ZZ12AB' })).status).toBe(404)
    // their own event's URL with this payout's id: not theirs either
    expect((await intruder.post(`/manage/events/${other.event.id}/payouts/${manual.payout.id}/paid`, { reference: 'TLK9ZZ12AB' })).status).toBe(404)
    const scanner = await signIn(kit, await createAccount(db, { tenantId: manual.tenantId, membership: 'scanner' }))
    expect((await scanner.get(`/manage/events/${eventId}/payouts`)).status).toBe(403)
    expect((await scanner.post(`/manage/events/${eventId}/payouts/${manual.payout.id}/paid`, { reference: 'TLK9ZZ12AB' })).status).toBe(403)
    expect(await payoutRow(db, manual.payout.id)).toMatchObject({ status: 'manual', paid_by: null })
  })
})

describe('payouts in the payments page and its CSV', () => {
  it('list the resale payment by its type and a line per payout, and the money adds up', async () => {
    const { paid, manual, manager, eventId } = await eventWithPayouts()
    const csv = await (await manager.get(`/manage/payments.csv?event=${eventId}`)).text()
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n')
    expect(lines.filter((line) => line.split(',')[1] === 'resale')).toHaveLength(2)
    // negative amounts carry the export's leading quote (formula defusing), as refunds do
    const payouts = lines.filter((line) => line.split(',')[1] === 'payout').map((line) => line.split(','))
    expect(payouts.map((cells) => [cells[3], cells[4], cells[10]]).sort()).toEqual([
      ['completed', "'-1700.00", '254711000201'], ['manual', "'-1700.00", B2C_PHONES.refused],
    ])
    const receipt = (await payoutRow(db, paid.payout.id)).receipt!
    expect(payouts.some((cells) => cells[8] === receipt)).toBe(true)

    const page = await (await manager.get(`/manage/payments?event=${eventId}`)).text()
    expect(page).toContain('>Resale<')
    expect(page).toContain('Resale payouts')
    expect(page).toMatch(/Paid out to resale sellers<\/dt><dd[^>]*>KES 1,700/)
    expect(page).toMatch(/Owed to resale sellers<\/dt><dd[^>]*>KES 1,700/)

    // amount = commission earned + net + refunded; the seller's payout and the organiser's fee come out of the net
    const sale = await asSystem(db, (trx) => trx.selectFrom('transactions').selectAll().where('id', '=', manual.payment.id).executeTakeFirstOrThrow())
    expect(sale.amount_minor).toBe(sale.commission_earned_minor + sale.net_minor + sale.refunded_minor)
    expect(sale.commission_earned_minor).toBe(COMMISSION)
    expect(sale.net_minor).toBe(SELLER_NET + ORGANISER_FEE)
    expect(RESALE_PRICE).toBe(COMMISSION + ORGANISER_FEE + (await payoutRow(db, manual.payout.id)).amount_minor)
  })

  it('words a payout\'s state for the seller in English and Swahili', () => {
    expect(payoutStateWords('completed', 'en')).toBe('Paid to your M-Pesa')
    expect(payoutStateWords('manual', 'sw')).toBe('Imechelewa: mwandaaji atakulipa moja kwa moja')
    expect(payoutStateWords('due', 'sw')).not.toBe(payoutStateWords('due', 'en'))
  })
})
