/**
 * What a purchase sends: the buyer's channel and optional email at checkout (form and API), the ticket
 * delivery with its PDF through both senders, and one payment-failed notice per reservation.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { dispatchDue } from '../../src/notifications/dispatcher.ts'
import { createPacer } from '../../src/notifications/pace.ts'
import { resendSender } from '../../src/notifications/resend-sender.ts'
import type { MessageSenders } from '../../src/notifications/senders.ts'
import { wahaSender } from '../../src/notifications/waha-sender.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { postgresBlobStore } from '../../src/storage/blob-store.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createEvent, createTenant, unique } from '../support/fixtures.ts'
import { startResendStandin, startWahaStandin } from '../support/message-standins.ts'
import { createPaymentKit, giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'

let db: Database
let kit: PaymentKit
let resend: Awaited<ReturnType<typeof startResendStandin>>
let waha: Awaited<ReturnType<typeof startWahaStandin>>
beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
  resend = await startResendStandin()
  waha = await startWahaStandin()
})
afterAll(async () => {
  await resend.close()
  await waha.close()
  await db.destroy()
})
beforeEach(() => asSystem(db, (trx) => trx.updateTable('notifications').set({ status: 'failed' }).where('status', 'in', ['pending', 'sending']).execute()))

const senders: () => MessageSenders = () => ({
  enabled: true,
  email: resendSender({ apiKey: 're_test_key', from: 'tickets@tikiti.test', baseUrl: resend.baseUrl, maxPerSecond: 100 }),
  whatsapp: wahaSender({ url: waha.baseUrl, apiKey: 'waha-test-key', session: 'default', maxPerMinute: 6000 }),
  pace: { email: createPacer({ intervalMs: 0 }), whatsapp: createPacer({ intervalMs: 0 }) },
})
const dispatch = () => dispatchDue({ db, senders: senders(), secretKeys: kit.ring, blobStore: postgresBlobStore, clock: kit.clock.now })

async function hold(options: { whatsappPdf?: boolean } = {}) {
  const tenant = await createTenant(db)
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const title = unique('Jazz Night')
  const { event, ticketTypes } = await createEvent(db, tenant.id, { title, ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 10 }] })
  if (options.whatsappPdf === false) await asSystem(db, (trx) => trx.updateTable('events').set({ whatsapp_ticket_pdf: false }).where('id', '=', event.id).execute())
  const buyer = new TestClient(kit.app)
  const held = await buyer.post(`/events/${event.slug}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '2' })
  const path = held.headers.get('location')!
  return { buyer, path, reservationId: path.split('/').pop()!, event, title, type: ticketTypes[0]! }
}

const SUCCESS_PHONE = `0${SIMULATOR_PHONES.success.slice(3)}`

const messagesOf = (reservationId: string) => asSystem(db, (trx) => trx.selectFrom('notifications').selectAll()
  .where('content', '@>', { reservationId } as never).orderBy('channel').execute())

describe('checkout: where the tickets go', () => {
  it('asks on the hold page for an optional email and the channel, saying what WhatsApp means', async () => {
    const { buyer, path } = await hold()
    const page = await (await buyer.get(path)).text()
    expect(page).toContain('name="email"')
    expect(page).toMatch(/<input type="radio" name="channel" value="whatsapp" checked/)
    expect(page).toContain('Without an email, your tickets come on WhatsApp to the phone that pays.')
    const sw = await (await buyer.get(path, { 'accept-language': 'sw' })).text()
    expect(sw).toContain('Nitumie tiketi kwa')
  })

  it('with an email and "both": the PDF by email and WhatsApp, with the private link, once each', async () => {
    const { buyer, path, reservationId, title } = await hold()
    const email = `${unique('buyer')}@example.test`
    expect((await buyer.post(`${path}/pay`, { phone: SUCCESS_PHONE, email, channel: 'both' })).status).toBe(303)
    await kit.sim.settle()
    const [payment] = await asSystem(db, (trx) => trx.selectFrom('transactions').selectAll().where('reservation_id', '=', reservationId).execute())
    expect(payment).toMatchObject({ status: 'completed', buyer_email: email, notify_channel: 'both' })
    const rows = await messagesOf(reservationId)
    expect(rows.map((row) => [row.type, row.channel, row.status])).toEqual([['ticket_delivery', 'email', 'pending'], ['ticket_delivery', 'whatsapp', 'pending']])
    // the link is not readable at rest
    expect(JSON.stringify(rows.map((row) => row.content))).not.toContain('/tickets/open/')

    await dispatch()
    const sent = resend.accepted.filter((message) => (message.body.to as string[])[0] === email)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body.subject).toBe(`Your tickets for ${title}`)
    expect(String(sent[0]!.body.text)).toMatch(/http:\/\/localhost\/tickets\/open\/[A-Za-z0-9_-]+/)
    const attachments = sent[0]!.body.attachments as { filename: string; content: string }[]
    expect(attachments.map((file) => file.filename)).toEqual(['tickets.pdf'])
    expect(Buffer.from(attachments[0]!.content, 'base64').subarray(0, 5).toString()).toBe('%PDF-')
    const chat = `${SIMULATOR_PHONES.success}@c.us`
    const texts = waha.sent.filter((message) => message.body.chatId === chat && message.path === '/api/sendText' && String(message.body.text).includes(title))
    expect(texts).toHaveLength(1)
    const files = waha.sent.filter((message) => message.body.chatId === chat && message.path === '/api/sendFile')
    expect((files.at(-1)!.body.file as { mimetype: string }).mimetype).toBe('application/pdf')
    expect((await messagesOf(reservationId)).map((row) => row.status)).toEqual(['sent', 'sent'])
  })

  it('phone only: WhatsApp by default, without the PDF when the event does not allow it', async () => {
    const { buyer, path, reservationId, title } = await hold({ whatsappPdf: false })
    const filesBefore = waha.sent.filter((message) => message.path === '/api/sendFile').length
    await buyer.post(`${path}/pay`, { phone: SUCCESS_PHONE })
    await kit.sim.settle()
    const rows = await messagesOf(reservationId)
    expect(rows.map((row) => row.channel)).toEqual(['whatsapp'])
    await dispatch()
    expect(waha.sent.filter((message) => String(message.body.text ?? '').includes(title))).toHaveLength(1)
    expect(waha.sent.filter((message) => message.path === '/api/sendFile')).toHaveLength(filesBefore)
  })

  it('refuses a bad email or channel with a clear 422 and starts no payment (form and API)', async () => {
    const { buyer, path, reservationId } = await hold()
    const prompts = kit.sim.state.prompts.length
    const cases = [
      [{ email: 'not-an-email' }, 'That does not look like an email address.'],
      [{ email: 'a@b.test', channel: 'sms' }, 'Choose WhatsApp, email or both.'],
      [{ channel: 'email' }, 'Give an email address to get your tickets by email.'],
      [{ email: `${'x'.repeat(250)}@b.test` }, 'That does not look like an email address.'],
    ] as const
    for (const [fields, message] of cases) {
      const res = await buyer.post(`${path}/pay`, { phone: SUCCESS_PHONE, ...fields })
      expect(res.status, JSON.stringify(fields)).toBe(422)
      expect(await res.text()).toContain(message)
    }
    const created = await kit.app.request(`/api/v1/events/${(await hold()).event.id}/reservations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
    })
    expect(created.status).toBe(422) // (the reservation API's own bad input)
    const api = await hold()
    const reservation = await (await kit.app.request(`/api/v1/events/${api.event.id}/reservations`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items: [{ ticketTypeId: api.type.id, quantity: 1 }] }),
    })).json() as { id: string; token: string }
    const auth = { authorization: `Bearer ${reservation.token}`, 'content-type': 'application/json' }
    for (const [body, code] of [[{ email: 'nope' }, 'invalid_email'], [{ channel: 'pigeon' }, 'invalid_channel'], [{ channel: 'both' }, 'email_needed']] as const) {
      const res = await kit.app.request(`/api/v1/reservations/${reservation.id}/payments`, {
        method: 'POST', headers: auth, body: JSON.stringify({ phone: SUCCESS_PHONE, ...body }),
      })
      expect(res.status).toBe(422)
      expect((await res.json()).error.code).toBe(code)
    }
    const accepted = await kit.app.request(`/api/v1/reservations/${reservation.id}/payments`, {
      method: 'POST', headers: auth, body: JSON.stringify({ phone: SUCCESS_PHONE, email: 'api@example.test' }),
    })
    expect(accepted.status).toBe(202)
    const payments = await asSystem(db, (trx) => trx.selectFrom('transactions').select(['buyer_email', 'notify_channel'])
      .where('reservation_id', 'in', [reservationId, reservation.id]).execute())
    expect(payments).toEqual([{ buyer_email: 'api@example.test', notify_channel: 'both' }])
    expect(kit.sim.state.prompts.length).toBe(prompts + 1)
  })
})

describe('a failed payment', () => {
  it('sends one notice per reservation with a link back to the same hold, only while the hold runs', async () => {
    const { buyer, path, reservationId } = await hold()
    await buyer.post(`${path}/pay`, { phone: SIMULATOR_PHONES.wrongPin })
    await kit.sim.settle()
    await buyer.post(`${path}/pay`, { phone: SIMULATOR_PHONES.cancelled })
    await kit.sim.settle()
    const rows = (await messagesOf(reservationId)).filter((row) => row.type === 'payment_failed')
    expect(rows).toHaveLength(1)
    await dispatch()
    const text = waha.sent.find((message) => message.body.chatId === `${SIMULATOR_PHONES.wrongPin}@c.us`)!.body.text as string
    expect(text).toContain('did not go through')
    // the link reopens the same hold on another device, once; the first device's cookie stops working
    const link = /http:\/\/localhost(\/reservations\/resume\/[A-Za-z0-9_-]+)/.exec(text)![1]!
    const otherPhone = new TestClient(kit.app)
    expect(await (await otherPhone.get(link)).text()).toContain('Open my held tickets')
    const opened = await otherPhone.post(link)
    expect(opened.status).toBe(303)
    expect(opened.headers.get('location')).toBe(`/reservations/${reservationId}`)
    expect(await (await otherPhone.get(`/reservations/${reservationId}`)).text()).toContain(`action="/reservations/${reservationId}/pay"`)
    expect((await buyer.get(path)).status).toBe(404)
    expect((await new TestClient(kit.app).post(link)).status).toBe(410)
    expect((await otherPhone.get('/reservations/resume/not-a-secret')).status).toBe(410)
  })
})
