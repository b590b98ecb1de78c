import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { TestClient } from '../support/client.ts'
import { concurrencyNote, openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant, lastMessageTo } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'

let db: Database
let kit: PaymentKit
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
})
afterAll(() => db.destroy())

const local = (phone: string) => `0${phone.slice(3)}`

/** A tenant with M-Pesa set up and an event with one ticket type (KES 1,500, 10 tickets). */
async function sellingEvent(options: { credentials?: boolean } = {}) {
  const tenant = await createTenant(db)
  if (options.credentials !== false) await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, { ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 10 }] })
  return { tenant, event, type: ticketTypes[0]!, ticketTypes }
}

/** …and a buyer holding `quantity` of them through the pages. */
async function buyerWithHold(quantity = 2, options: { credentials?: boolean } = {}) {
  const { tenant, event, ticketTypes } = await sellingEvent(options)
  const buyer = new TestClient(kit.app)
  const hold = await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: String(quantity) })
  const path = hold.headers.get('location')!
  const reservationId = path.split('/').pop()!
  return { tenant, event, type: ticketTypes[0]!, buyer, path, reservationId }
}

const paymentsOf = (reservationId: string) => asSystem(db, (trx) =>
  trx.selectFrom('transactions').selectAll().where('reservation_id', '=', reservationId).orderBy('created_at').execute())

describe('paying for a hold with M-Pesa', () => {
  it('sends the prompt, and on success makes the tickets active with their QR, in one step with the delivery message', async () => {
    const { buyer, path, reservationId, tenant, type } = await buyerWithHold(2)
    const page = await (await buyer.get(path)).text()
    expect(page).toContain('Pay KES 3,000 with M-Pesa')
    const paid = await buyer.post(`${path}/pay`, { phone: `+254 ${SIMULATOR_PHONES.success.slice(3)}` })
    expect(paid.status).toBe(303)
    await kit.sim.settle()

    const prompt = kit.sim.state.prompts.at(-1)!
    expect(prompt).toMatchObject({ phone: SIMULATOR_PHONES.success, amount: 3000, status: 'done' })
    const [payment] = await paymentsOf(reservationId)
    expect(payment).toMatchObject({ status: 'completed', amount_minor: 300_000, commission_minor: 15_000, mpesa_phone: SIMULATOR_PHONES.success,
      checkout_request_id: prompt.checkoutRequestId, tenant_id: tenant.id })
    expect(payment!.mpesa_receipt_number).toMatch(/^[A-Z0-9]{10}$/)

    const tickets = await asSystem(db, (trx) => trx.selectFrom('tickets').selectAll().where('reservation_id', '=', reservationId).execute())
    expect(tickets.map((ticket) => ticket.status)).toEqual(['active', 'active'])
    expect(tickets.map((ticket) => ({ payment: ticket.transaction_id, code: ticket.qr_code?.slice(0, 2) })))
      .toEqual([{ payment: payment!.id, code: 'T1' }, { payment: payment!.id, code: 'T1' }])
    const owner = await asSystem(db, (trx) => trx.selectFrom('users').select(['is_guest', 'phone']).where('id', '=', tickets[0]!.user_id!).executeTakeFirstOrThrow())
    expect(owner).toEqual({ is_guest: true, phone: SIMULATOR_PHONES.success })
    const sold = await asSystem(db, (trx) => trx.selectFrom('ticket_types').select('sold').where('id', '=', type.id).executeTakeFirstOrThrow())
    expect(sold.sold).toBe(2)
    const messages = await asSystem(db, (trx) => trx.selectFrom('notifications').selectAll().where('user_id', '=', owner ? tickets[0]!.user_id! : '').execute())
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ type: 'ticket_delivery', channel: 'whatsapp', status: 'pending' })
    expect(messages[0]!.content).toMatchObject({ to: SIMULATOR_PHONES.success })

    const after = await (await buyer.get(path)).text()
    expect(after).toContain('Your tickets')
    expect(after.match(/<svg /g)).toHaveLength(2)

    // the message carries a private, single-use link that opens the guest's tickets on another phone
    const link = /http:\/\/localhost(\/tickets\/open\/[A-Za-z0-9_-]+)/.exec((await lastMessageTo(db, SIMULATOR_PHONES.success, kit.ring))!.content.body)![1]!
    const otherPhone = new TestClient(kit.app)
    expect(await (await otherPhone.get(link)).text()).toContain('Show my tickets')
    expect(await (await otherPhone.get(link)).text()).toContain('Show my tickets') // a link preview does not use it up
    const opened = await otherPhone.post(link)
    expect(opened.status).toBe(303)
    expect(opened.headers.get('location')).toBe('/tickets')
    expect((await (await otherPhone.get('/tickets')).text()).match(/<svg /g)).toHaveLength(2)
    // a signed-in guest has no email or password yet: their account page still works
    const account = await otherPhone.get('/account')
    expect(account.status).toBe(200)
    const again = await new TestClient(kit.app).post(link)
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('This link has already been used or has expired.')
    expect((await new TestClient(kit.app).get('/tickets/open/' + 'x'.repeat(43))).status).toBe(410)
    expect((await new TestClient(kit.app).post('/tickets/open/short')).status).toBe(410)
  })

  it('says "Check your phone" while the prompt is open, follows it, and offers a retry on the same hold after a cancel', async () => {
    const { buyer, path, reservationId } = await buyerWithHold(1)
    await buyer.post(`${path}/pay`, { phone: '0712 345 678' })
    const waiting = await (await buyer.get(path)).text()
    expect(waiting).toContain('Check your phone')
    expect(waiting).toContain('0712 ••• 678')
    expect(waiting).toContain(`href="${path}"`) // the refresh link works without JavaScript
    expect(waiting).not.toContain('name="phone"')
    const fragment = await buyer.get(`${path}/payment-status`, { 'HX-Request': 'true' })
    expect(fragment.headers.get('HX-Redirect')).toBeNull()
    expect(await fragment.text()).toContain('data-poll')

    await kit.sim.answer(kit.sim.state.prompts.at(-1)!.checkoutRequestId, 1032)
    const ended = await buyer.get(`${path}/payment-status`, { 'HX-Request': 'true' })
    expect(ended.headers.get('HX-Redirect')).toBe(path)
    const failed = await (await buyer.get(path)).text()
    expect(failed).toContain('You cancelled the M-Pesa prompt.')
    expect(failed).toContain('Try again')
    expect(failed).toContain('value="0712345678"')

    await buyer.post(`${path}/pay`, { phone: local(SIMULATOR_PHONES.success) })
    await kit.sim.settle()
    const payments = await paymentsOf(reservationId)
    expect(payments.map((payment) => payment.status)).toEqual(['failed', 'completed'])
    expect(await (await buyer.get(path)).text()).toContain('Your tickets')
  })

  it('explains each failure in the buyer’s language', async () => {
    const cases = [
      [SIMULATOR_PHONES.cancelled, 'cancelled', 'You cancelled the M-Pesa prompt.', 'Ulighairi ombi la M-Pesa.'],
      [SIMULATOR_PHONES.wrongPin, 'wrong_pin', 'The M-Pesa PIN was wrong.', 'PIN ya M-Pesa haikuwa sahihi.'],
      [SIMULATOR_PHONES.insufficientFunds, 'insufficient_funds', 'Your M-Pesa balance is too low.', 'Salio lako la M-Pesa halitoshi.'],
      [SIMULATOR_PHONES.unreachable, 'unreachable', 'Your phone could not be reached.', 'Simu yako haikupatikana.'],
    ] as const
    for (const [phone, code, english, swahili] of cases) {
      const { event, type } = await sellingEvent()
      const created = await kit.app.request(`/api/v1/events/${event.id}/reservations`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items: [{ ticketTypeId: type.id, quantity: 1 }] }),
      })
      const reservation = await created.json() as { id: string; token: string }
      const auth = { authorization: `Bearer ${reservation.token}`, 'content-type': 'application/json' }
      const started = await kit.app.request(`/api/v1/reservations/${reservation.id}/payments`, { method: 'POST', headers: auth, body: JSON.stringify({ phone }) })
      expect(started.status).toBe(202)
      const payment = await started.json() as { id: string; status: string }
      expect(payment.status).toBe('pending')
      expect(started.headers.get('location')).toBe(`/api/v1/payments/${payment.id}`)
      await kit.sim.settle()
      const en = await (await kit.app.request(`/api/v1/payments/${payment.id}`, { headers: auth })).json()
      expect(en).toMatchObject({ status: 'failed', reason: { code } })
      expect(en.reason.message).toContain(english)
      const sw = await (await kit.app.request(`/api/v1/payments/${payment.id}`, { headers: { ...auth, 'accept-language': 'sw' } })).json()
      expect(sw.reason.message).toContain(swahili)
    }
  })

  it('keeps the hold while a prompt is out', async () => {
    const { buyer, path, reservationId } = await buyerWithHold(1)
    const before = await asSystem(db, (trx) => trx.selectFrom('reservations').select('expires_at').where('id', '=', reservationId).executeTakeFirstOrThrow())
    kit.clock.advance(9 * 60_000) // a minute of the ten left
    await buyer.post(`${path}/pay`, { phone: '0799 000 111' })
    const after = await asSystem(db, (trx) => trx.selectFrom('reservations').select('expires_at').where('id', '=', reservationId).executeTakeFirstOrThrow())
    expect(after.expires_at.getTime()).toBe(kit.clock.now().getTime() + 4 * 60_000)
    expect(after.expires_at.getTime()).toBeGreaterThan(before.expires_at.getTime())
    const rows = await asSystem(db, (trx) => trx.selectFrom('tickets').select('claimable_after').where('reservation_id', '=', reservationId).execute())
    expect(rows.map((row) => row.claimable_after.getTime())).toEqual([after.expires_at.getTime()])
    kit.clock.advance(-9 * 60_000)
  })

  it(`answers a double tap with the prompt already on its way ${concurrencyNote}`, async () => {
    const { buyer, path, reservationId } = await buyerWithHold(1)
    await Promise.all([buyer.post(`${path}/pay`, { phone: '0711 222 333' }), buyer.post(`${path}/pay`, { phone: '0711 222 333' })])
    expect(await paymentsOf(reservationId)).toHaveLength(1)
  })
})

describe('bad checkout input', () => {
  it('refuses a phone that is not a Kenyan mobile number, with the reason, and sends nothing', async () => {
    const { buyer, path, reservationId } = await buyerWithHold(1)
    const prompts = kit.sim.state.prompts.length
    for (const phone of ['', '12345', '0812345678', '+255712345678', '07123456789', 'x'.repeat(41)]) {
      const res = await buyer.post(`${path}/pay`, { phone })
      expect(res.status).toBe(422)
      expect(await res.text()).toContain('Enter an M-Pesa number such as 0712 345 678.')
    }
    const sw = await buyer.post(`${path}/pay`, { phone: '123' }, { 'accept-language': 'sw' })
    expect(await sw.text()).toContain('Weka nambari ya M-Pesa')
    expect(await paymentsOf(reservationId)).toHaveLength(0)
    expect(kit.sim.state.prompts.length).toBe(prompts)
  })

  it('refuses the API without the reservation’s token, with a malformed body, or for a hold that is over or paid', async () => {
    const { event, type } = await sellingEvent()
    const created = await (await kit.app.request(`/api/v1/events/${event.id}/reservations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ ticketTypeId: type.id, quantity: 1 }] }),
    })).json() as { id: string; token: string }
    const url = `/api/v1/reservations/${created.id}/payments`
    const json = { 'content-type': 'application/json' }
    const phone = JSON.stringify({ phone: '0712345678' })
    expect((await kit.app.request(url, { method: 'POST', headers: json, body: phone })).status).toBe(404)
    expect((await kit.app.request(url, { method: 'POST', headers: { ...json, authorization: 'Bearer wrong' }, body: phone })).status).toBe(404)
    expect((await kit.app.request('/api/v1/reservations/not-a-uuid/payments', { method: 'POST', headers: { ...json, authorization: `Bearer ${created.token}` }, body: phone })).status).toBe(404)
    const auth = { ...json, authorization: `Bearer ${created.token}` }
    for (const body of ['{', '[]', '{"phone":7}', '{"phone":"0712345678","extra":1}']) {
      const res = await kit.app.request(url, { method: 'POST', headers: auth, body })
      expect(res.status).toBe(422)
      expect((await res.json()).error.code).toBe('invalid_request')
    }
    const badPhone = await kit.app.request(url, { method: 'POST', headers: auth, body: JSON.stringify({ phone: '999' }) })
    expect(badPhone.status).toBe(422)
    expect((await badPhone.json()).error.code).toBe('invalid_phone')
    expect(await paymentsOf(created.id)).toHaveLength(0)

    kit.clock.advance(11 * 60_000)
    const late = await kit.app.request(url, { method: 'POST', headers: auth, body: phone })
    expect(late.status).toBe(409)
    expect((await late.json()).error.code).toBe('hold_expired')
    kit.clock.advance(-11 * 60_000)

    const paid = await kit.app.request(url, { method: 'POST', headers: auth, body: JSON.stringify({ phone: SIMULATOR_PHONES.success }) })
    expect(paid.status).toBe(202)
    await kit.sim.settle()
    const again = await kit.app.request(url, { method: 'POST', headers: auth, body: phone })
    expect(again.status).toBe(409)
    expect((await again.json()).error.code).toBe('already_paid')
    expect((await kit.app.request(`/api/v1/payments/${(await paid.json()).id}`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(404)
  })

  it('describes both payment endpoints in the OpenAPI document', async () => {
    const doc = await (await kit.app.request('/api/v1/openapi.json')).json()
    expect(doc.paths['/api/v1/reservations/{id}/payments'].post.responses).toHaveProperty('202')
    expect(doc.paths['/api/v1/payments/{id}'].get.responses).toHaveProperty('200')
  })

  it('tells the buyer when the organiser cannot take M-Pesa yet', async () => {
    const { buyer, path, reservationId } = await buyerWithHold(1, { credentials: false })
    const res = await buyer.post(`${path}/pay`, { phone: '0712345678' })
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('This organiser cannot take M-Pesa payments yet.')
    expect(await paymentsOf(reservationId)).toHaveLength(0)
  })

  it('flags repeated failures from one phone and then refuses more attempts for a while', async () => {
    const { event, type } = await sellingEvent()
    const phone = SIMULATOR_PHONES.wrongPin
    const buyer = new TestClient(kit.app)
    // other tests' failures from this phone count too: start a fresh window
    kit.clock.advance(16 * 60_000)
    const hold2 = await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${type.id}`]: '1' })
    const path2 = hold2.headers.get('location')!
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect((await buyer.post(`${path2}/pay`, { phone: local(phone) })).status).toBe(303)
      await kit.sim.settle()
    }
    const refused = await buyer.post(`${path2}/pay`, { phone: local(phone) })
    expect(refused.status).toBe(429)
    expect(await refused.text()).toContain('Too many failed payments from this number. Try again in 15 minutes.')
    const flags = await asSystem(db, (trx) => trx.selectFrom('payment_flags').selectAll().where('event_id', '=', event.id).execute())
    expect(flags.length).toBeGreaterThanOrEqual(3)
    expect(flags.map((flag) => flag.kind)).toEqual(flags.map(() => 'repeated_failures'))
    kit.clock.advance(-16 * 60_000)
  })

  it('refuses a prompt to a phone already paying for three open holds of the event, in the buyer’s language; another phone pays', async () => {
    const { event, type } = await sellingEvent()
    const phone = SIMULATOR_PHONES.noCallback
    const holds = []
    for (let i = 0; i < 4; i++) {
      const buyer = new TestClient(kit.app) // four browsers: the per-client cap does not come into it
      const path = (await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${type.id}`]: '1' })).headers.get('location')!
      holds.push({ buyer, path })
    }
    for (const { buyer, path } of holds.slice(0, 3)) {
      expect((await buyer.post(`${path}/pay`, { phone: local(phone) })).status).toBe(303)
      await kit.sim.settle()
    }
    const { buyer, path } = holds[3]!
    const refused = await buyer.post(`${path}/pay`, { phone: local(phone) })
    expect(refused.status).toBe(429)
    expect(await refused.text()).toContain('This phone number is already paying for 3 holds for this event.')
    const sw = await buyer.post(`${path}/pay`, { phone: local(phone) }, { 'accept-language': 'sw' })
    expect(await sw.text()).toContain('Nambari hii ya simu tayari inalipia nafasi 3')
    expect(await paymentsOf(path.split('/').pop()!)).toHaveLength(0)
    expect((await buyer.post(`${path}/pay`, { phone: local(SIMULATOR_PHONES.success) })).status).toBe(303)
    await kit.sim.settle()
  })
})
