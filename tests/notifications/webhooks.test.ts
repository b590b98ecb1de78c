/** Provider feedback: Resend's Svix-signed events and WAHA's HMAC-signed acks; forged and replayed ones change nothing. */
import { createHmac, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, unique } from '../support/fixtures.ts'

const RESEND_SECRET = `whsec_${randomBytes(24).toString('base64')}`
const WAHA_SECRET = 'waha-webhook-secret'
let db: Database
const clock = new TestClock()
let app: ReturnType<typeof createTestApp>['app']
beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db, { now: clock.now, deps: { webhookSecrets: { resend: RESEND_SECRET, waha: WAHA_SECRET } } }))
})
afterAll(() => db.destroy())

async function sentMessage(channel: 'email' | 'whatsapp') {
  const providerId = unique(channel === 'email' ? 'em' : 'true_254700000000@c.us')
  const row = await asSystem(db, (trx) => trx.insertInto('notifications').values({
    tenant_id: null, user_id: null, type: 'password_reset', channel, status: 'sent', content: { to: 'x' },
    ...(channel === 'email' ? { email_id: providerId } : { whatsapp_id: providerId }),
  }).returning('id').executeTakeFirstOrThrow())
  return { id: row.id, providerId }
}
const rowOf = (id: string) => asSystem(db, (trx) => trx.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow())

function svix(body: string, options: { at?: Date; secret?: string; id?: string } = {}) {
  const id = options.id ?? unique('msg')
  const timestamp = String(Math.floor((options.at ?? clock.now()).getTime() / 1000))
  const key = Buffer.from((options.secret ?? RESEND_SECRET).replace(/^whsec_/, ''), 'base64')
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')
  return { 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` }
}
const resendEvent = (type: string, emailId: string) => JSON.stringify({ type, created_at: clock.now().toISOString(), data: { email_id: emailId, bounce: { message: 'mailbox full' } } })
const postResend = (body: string, headers: Record<string, string>) => app.request('/webhooks/resend', { method: 'POST', headers, body })

function wahaHeaders(body: string, options: { secret?: string; at?: Date } = {}) {
  return {
    'content-type': 'application/json',
    'x-webhook-hmac': createHmac('sha512', options.secret ?? WAHA_SECRET).update(body).digest('hex'),
    'x-webhook-timestamp': String((options.at ?? clock.now()).getTime()),
  }
}
const ack = (id: string, value: number) => JSON.stringify({ event: 'message.ack', session: 'default', payload: { id, ack: value } })
const postWaha = (body: string, headers: Record<string, string>) => app.request('/webhooks/waha', { method: 'POST', headers, body })

describe('Resend webhooks', () => {
  it('records a delivery, and a bounce after it; a late "delivered" never undoes the bounce', async () => {
    const { id, providerId } = await sentMessage('email')
    const delivered = resendEvent('email.delivered', providerId)
    expect((await postResend(delivered, svix(delivered))).status).toBe(200)
    expect((await rowOf(id)).delivered_at).not.toBeNull()
    const bounced = resendEvent('email.bounced', providerId)
    expect(await (await postResend(bounced, svix(bounced))).json()).toEqual({ ok: true, changed: 1 })
    expect(await rowOf(id)).toMatchObject({ status: 'bounced', last_error: 'bounced: mailbox full' })
    expect(await (await postResend(delivered, svix(delivered))).json()).toEqual({ ok: true, changed: 0 })
    expect((await rowOf(id)).status).toBe('bounced')
  })

  it('refuses a forged signature, a body changed after signing, another secret, and missing headers: nothing changes', async () => {
    const { id, providerId } = await sentMessage('email')
    const body = resendEvent('email.bounced', providerId)
    const signed = svix(body)
    const attempts: Array<[string, Record<string, string>]> = [
      [body, { ...signed, 'svix-signature': 'v1,AAAA' }],
      [body.replace('mailbox full', 'hacked'), signed],
      [body, svix(body, { secret: `whsec_${randomBytes(24).toString('base64')}` })],
      [body, { 'content-type': 'application/json' }],
      ['not json', signed],
    ]
    for (const [payload, headers] of attempts) expect((await postResend(payload, headers)).status).toBe(401)
    expect(await rowOf(id)).toMatchObject({ status: 'sent', last_error: null })
  })

  it('refuses a replay older than five minutes', async () => {
    const { id, providerId } = await sentMessage('email')
    const body = resendEvent('email.bounced', providerId)
    const old = svix(body, { at: new Date(clock.now().getTime() - 6 * 60_000) })
    const res = await postResend(body, old)
    expect(res.status).toBe(401)
    expect((await res.json()).error.code).toBe('bad_signature')
    expect((await rowOf(id)).status).toBe('sent')
  })
})

describe('WAHA webhooks', () => {
  it('records a read ack as delivered and an error ack as failed', async () => {
    const read = await sentMessage('whatsapp')
    const body = ack(read.providerId, 3)
    expect((await postWaha(body, wahaHeaders(body))).status).toBe(200)
    expect((await rowOf(read.id)).delivered_at).not.toBeNull()
    const broken = await sentMessage('whatsapp')
    const error = ack(broken.providerId, -1)
    expect(await (await postWaha(error, wahaHeaders(error))).json()).toEqual({ ok: true, changed: 1 })
    expect((await rowOf(broken.id)).status).toBe('failed')
  })

  it('refuses a forged HMAC, a wrong secret and a stale timestamp: nothing changes', async () => {
    const { id, providerId } = await sentMessage('whatsapp')
    const body = ack(providerId, -1)
    for (const headers of [
      { ...wahaHeaders(body), 'x-webhook-hmac': 'ab'.repeat(64) },
      wahaHeaders(body, { secret: 'other' }),
      wahaHeaders(body, { at: new Date(clock.now().getTime() - 10 * 60_000) }),
      { 'content-type': 'application/json' },
    ]) expect((await postWaha(body, headers)).status).toBe(401)
    expect((await rowOf(id)).status).toBe('sent')
  })

  it('refuses a captured body sent again later under a fresh timestamp header: the body’s signed time is stale', async () => {
    const { id, providerId } = await sentMessage('whatsapp')
    const event = (at: Date) => JSON.stringify({ id: unique('evt'), timestamp: at.getTime(), event: 'message.ack', session: 'default', payload: { id: providerId, ack: -1 } })
    const captured = event(new Date(clock.now().getTime() - 10 * 60_000))
    expect((await postWaha(captured, wahaHeaders(captured))).status).toBe(401)
    expect((await rowOf(id)).status).toBe('sent')
    const fresh = event(clock.now())
    expect(await (await postWaha(fresh, wahaHeaders(fresh))).json()).toEqual({ ok: true, changed: 1 })
    expect((await rowOf(id)).status).toBe('failed')
  })

  it('does not exist without its secret', async () => {
    const { app: bare } = createTestApp(db)
    const body = ack('x', 3)
    expect((await bare.request('/webhooks/waha', { method: 'POST', headers: wahaHeaders(body), body })).status).toBe(404)
    expect((await bare.request('/webhooks/resend', { method: 'POST', headers: svix(body), body })).status).toBe(404)
  })
})
