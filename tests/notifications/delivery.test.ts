/**
 * The dispatcher with the real senders (the resend SDK, the WAHA client) against local capture servers:
 * statuses, backoff, idempotency, the faults each provider can throw, and the outbox's atomicity.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SYSTEM, withContext } from '../../src/db/request-context.ts'
import { newKeyEntry, parseKeyRing, type KeyRing } from '../../src/lib/secret-box.ts'
import { backoffMs, dispatchDue, MAX_ATTEMPTS, type DispatchDeps } from '../../src/notifications/dispatcher.ts'
import { enqueueNotification, type NotificationRequest } from '../../src/notifications/outbox.ts'
import { createPacer } from '../../src/notifications/pace.ts'
import { resendSender } from '../../src/notifications/resend-sender.ts'
import { notificationSendersFromEnv } from '../../src/notifications/sender-config.ts'
import { outboxEmailSender, outboxWhatsAppSender, type MessageSenders } from '../../src/notifications/senders.ts'
import { wahaSender } from '../../src/notifications/waha-sender.ts'
import { postgresBlobStore } from '../../src/storage/blob-store.ts'
import { TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, unique } from '../support/fixtures.ts'
import { startResendStandin, startWahaStandin } from '../support/message-standins.ts'

let db: Database
let ring: KeyRing
let resend: Awaited<ReturnType<typeof startResendStandin>>
let waha: Awaited<ReturnType<typeof startWahaStandin>>
beforeAll(async () => {
  db = await openTestDatabase()
  ring = await parseKeyRing(newKeyEntry('k1'))
  resend = await startResendStandin()
  waha = await startWahaStandin()
})
afterAll(async () => {
  await resend.close()
  await waha.close()
  await db.destroy()
})
// each test sees only its own messages
beforeEach(() => asSystem(db, (trx) => trx.updateTable('notifications').set({ status: 'failed' }).where('status', 'in', ['pending', 'sending']).execute()))

function senders(options: { apiKey?: string; wahaKey?: string; timeoutMs?: number } = {}): MessageSenders {
  return {
    enabled: true,
    email: resendSender({ apiKey: options.apiKey ?? 're_test_key', from: 'Tikiti <tickets@tikiti.test>', baseUrl: resend.baseUrl, maxPerSecond: 100, timeoutMs: options.timeoutMs }),
    whatsapp: wahaSender({ url: waha.baseUrl, apiKey: options.wahaKey ?? 'waha-test-key', session: 'default', maxPerMinute: 6000, timeoutMs: options.timeoutMs }),
    pace: { email: createPacer({ intervalMs: 0 }), whatsapp: createPacer({ intervalMs: 0 }) },
  }
}

function deps(clock: TestClock, messageSenders: MessageSenders = senders()): DispatchDeps {
  return { db, senders: messageSenders, secretKeys: ring, blobStore: postgresBlobStore, clock: clock.now }
}

async function enqueue(request: Partial<NotificationRequest> & Pick<NotificationRequest, 'channel'>, now: Date) {
  const ids = await withContext(db, SYSTEM, (trx) => enqueueNotification(trx, {
    type: 'password_reset', tenantId: null, userId: null, lang: 'en', now, ring,
    secrets: { resetLink: `https://tikiti.test/password/reset?token=${unique('secret')}` }, ...request,
  }))
  return ids
}

const rowOf = (id: string) => asSystem(db, (trx) => trx.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow())

describe('the outbox', () => {
  it('writes nothing when the business transaction rolls back', async () => {
    const email = `${unique('rollback')}@example.test`
    await expect(withContext(db, SYSTEM, async (trx) => {
      await enqueueNotification(trx, { type: 'password_reset', channel: 'email', email, tenantId: null, userId: null, lang: 'en', now: new Date() })
      throw new Error('the business change failed')
    })).rejects.toThrow('the business change failed')
    const rows = await asSystem(db, (trx) => trx.selectFrom('notifications').select('id').where('content', '@>', { to: email } as never).execute())
    expect(rows).toEqual([])
  })

  it('keeps single-use links sealed at rest, bound to their row', async () => {
    const clock = new TestClock()
    const secret = unique('reset-secret')
    const [id] = await enqueue({ channel: 'email', email: `${unique('seal')}@example.test`, secrets: { resetLink: `https://tikiti.test/r?token=${secret}` } }, clock.now())
    const row = await rowOf(id!)
    expect(JSON.stringify(row.content)).not.toContain(secret)
    expect(row.content).toMatchObject({ sealed: expect.stringMatching(/^v1\.k1\./) })
    // the same box copied to another row does not open there
    const [other] = await enqueue({ channel: 'email', email: `${unique('copy')}@example.test` }, clock.now())
    await asSystem(db, (trx) => trx.updateTable('notifications').set({ content: row.content as never }).where('id', '=', other!).execute())
    await dispatchDue(deps(clock))
    expect((await rowOf(id!)).status).toBe('sent')
    expect(await rowOf(other!)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('could not prepare') })
    const sent = resend.accepted.find((email) => email.key === id)!
    expect(String(sent.body.text)).toContain(secret)
  })

  it('writes one row per channel for "both", and one message per dedupe key', async () => {
    const now = new Date()
    const key = unique('once')
    const first = await enqueue({ channel: 'both', email: `${unique('both')}@example.test`, phone: '254712345678', dedupeKey: key }, now)
    const again = await enqueue({ channel: 'both', email: `${unique('both')}@example.test`, phone: '254712345678', dedupeKey: key }, now)
    expect(first).toHaveLength(2)
    expect(again).toEqual([])
    const rows = await asSystem(db, (trx) => trx.selectFrom('notifications').select('channel').where('id', 'in', first).orderBy('channel').execute())
    expect(rows.map((row) => row.channel)).toEqual(['email', 'whatsapp'])
  })
})

describe('email through Resend', () => {
  it('sends with Idempotency-Key = the notification id and records the provider id: pending → sending → sent', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ channel: 'email', email: `${unique('ok')}@example.test` }, clock.now())
    expect((await rowOf(id!)).status).toBe('pending')
    expect(await dispatchDue(deps(clock))).toBe(1)
    const row = await rowOf(id!)
    const request = resend.requests.filter((r) => r.headers['idempotency-key'] === id)
    expect(request).toHaveLength(1)
    expect(row).toMatchObject({ status: 'sent', retry_count: 1, last_error: null, email_id: resend.accepted.find((e) => e.key === id)!.id })
    expect(request[0]!.body).toMatchObject({ from: 'Tikiti <tickets@tikiti.test>', subject: 'Reset your Tikiti password' })
  })

  it('"send again" of a bounced email is a new round with a new Idempotency-Key, so Resend sends it again', async () => {
    const { sendAgain } = await import('../../src/notifications/message-admin.ts')
    const clock = new TestClock()
    const to = `${unique('bounce')}@example.test`
    const [id] = await enqueue({ channel: 'email', email: to }, clock.now())
    expect(await dispatchDue(deps(clock))).toBe(1)
    await asSystem(db, (trx) => trx.updateTable('notifications').set({ status: 'bounced' }).where('id', '=', id!).execute())
    await asSystem(db, (trx) => sendAgain(trx, undefined, id!, clock.now()))
    expect(await dispatchDue(deps(clock))).toBe(1)
    const keys = resend.accepted.filter((email) => (email.body.to as string[])[0] === to).map((email) => email.key)
    expect(keys).toEqual([id, `${id}:1`])
    expect((await rowOf(id!)).status).toBe('sent')
  })

  it('after a 500, retries with backoff and the same key: exactly one email accepted', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ channel: 'email', email: `${unique('500')}@example.test` }, clock.now())
    resend.fail({ status: 500 })
    await dispatchDue(deps(clock))
    const waiting = await rowOf(id!)
    expect(waiting).toMatchObject({ status: 'pending', retry_count: 1, last_error: expect.stringContaining('500') })
    expect(waiting.next_attempt_at!.getTime()).toBe(clock.now().getTime() + backoffMs(1))
    expect(await dispatchDue(deps(clock))).toBe(0) // not before its time
    clock.advance(backoffMs(1))
    await dispatchDue(deps(clock))
    expect(await rowOf(id!)).toMatchObject({ status: 'sent', retry_count: 2 })
    const keys = resend.requests.filter((r) => r.headers['idempotency-key'] === id)
    expect(keys).toHaveLength(2)
    expect(resend.accepted.filter((email) => email.key === id)).toHaveLength(1)
  })

  it('when the answer is lost (a timeout), the retry is deduped by Resend: one email', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ channel: 'email', email: `${unique('lost')}@example.test` }, clock.now())
    resend.fail({ hang: true })
    await dispatchDue(deps(clock, senders({ timeoutMs: 300 })))
    expect(await rowOf(id!)).toMatchObject({ status: 'pending', last_error: expect.stringContaining('unreachable') })
    clock.advance(backoffMs(1))
    await dispatchDue(deps(clock, senders({ timeoutMs: 300 })))
    const row = await rowOf(id!)
    expect(row.status).toBe('sent')
    expect(resend.accepted.filter((email) => email.key === id)).toHaveLength(1)
    expect(row.email_id).toBe(resend.accepted.find((email) => email.key === id)!.id)
  })

  it('honours 429 and retry-after: the row waits at least that long and the pace holds back', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ channel: 'email', email: `${unique('429')}@example.test` }, clock.now())
    resend.fail({ status: 429, headers: { 'retry-after': '120' }, body: { statusCode: 429, name: 'rate_limit_exceeded', message: 'Too many requests' } })
    const messageSenders = senders()
    await dispatchDue(deps(clock, messageSenders))
    const row = await rowOf(id!)
    expect(row).toMatchObject({ status: 'pending', last_error: expect.stringContaining('rate_limit_exceeded') })
    expect(row.next_attempt_at!.getTime()).toBe(clock.now().getTime() + 120_000)
    expect(messageSenders.pace.email.reserve(Date.now())).toBeGreaterThan(100_000)
  })

  it('a wrong API key (403) and a missing one (401) are retried, then failed after the last attempt', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ channel: 'email', email: `${unique('403')}@example.test` }, clock.now())
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      await dispatchDue(deps(clock, senders({ apiKey: 're_wrong' })))
      clock.advance(backoffMs(attempt))
    }
    const row = await rowOf(id!)
    expect(row).toMatchObject({ status: 'failed', retry_count: MAX_ATTEMPTS, last_error: expect.stringContaining('invalid_api_key') })
    expect(resend.accepted.filter((email) => email.key === id)).toHaveLength(0)
    resend.fail({ status: 401, body: { statusCode: 401, name: 'missing_api_key', message: 'Missing API key' } })
    const [other] = await enqueue({ channel: 'email', email: `${unique('401')}@example.test` }, clock.now())
    await dispatchDue(deps(clock))
    expect(await rowOf(other!)).toMatchObject({ status: 'pending', last_error: expect.stringContaining('missing_api_key') })
  })

  it('a message Resend refuses (422) fails at once, without retries', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ channel: 'email', email: `${unique('422')}@example.test` }, clock.now())
    resend.fail({ status: 422, body: { statusCode: 422, name: 'validation_error', message: 'Invalid `to` field.' } })
    await dispatchDue(deps(clock))
    expect(await rowOf(id!)).toMatchObject({ status: 'failed', retry_count: 1, last_error: expect.stringContaining('validation_error') })
  })
})

describe('WhatsApp through WAHA', () => {
  it('sends with sendText to <phone>@c.us with the API key, and keeps the message id', async () => {
    const clock = new TestClock()
    const phone = `2547${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`
    const [id] = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone, secrets: { code: '123456' } }, clock.now())
    await dispatchDue(deps(clock))
    const sent = waha.sent.filter((message) => message.body.chatId === `${phone}@c.us`)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body).toMatchObject({ session: 'default', text: expect.stringContaining('123456') })
    expect(await rowOf(id!)).toMatchObject({ status: 'sent', whatsapp_id: sent[0]!.id })
  })

  it('waits while the session is not WORKING: nothing is sent, the row is retried later', async () => {
    const clock = new TestClock()
    const phone = '254700000111'
    const [id] = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone, secrets: { code: '222222' } }, clock.now())
    waha.setStatus('SCAN_QR_CODE')
    try {
      await dispatchDue(deps(clock))
    } finally {
      waha.setStatus('WORKING')
    }
    expect(await rowOf(id!)).toMatchObject({ status: 'pending', last_error: expect.stringContaining('SCAN_QR_CODE') })
    expect(waha.sent.filter((message) => message.body.chatId === `${phone}@c.us`)).toHaveLength(0)
    clock.advance(backoffMs(1))
    await dispatchDue(deps(clock))
    expect((await rowOf(id!)).status).toBe('sent')
  })

  it('a wrong X-Api-Key (401) sends nothing and is retried', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone: '254700000222', secrets: { code: '333333' } }, clock.now())
    await dispatchDue(deps(clock, senders({ wahaKey: 'wrong' })))
    expect(await rowOf(id!)).toMatchObject({ status: 'pending', last_error: expect.stringContaining('401') })
  })

  it('a lost answer is never resent: the row fails as "outcome unknown" and the phone got one message', async () => {
    const clock = new TestClock()
    const phone = '254700000333'
    const [id] = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone, secrets: { code: '444444' } }, clock.now())
    const timed = senders({ timeoutMs: 300 })
    await dispatchDue(deps(clock, timed)) // warms the session check
      .then(() => undefined)
    expect((await rowOf(id!)).status).toBe('sent')
    const [lost] = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone, secrets: { code: '555555' } }, clock.now())
    waha.fail({ hang: true })
    await dispatchDue(deps(clock, timed))
    expect(await rowOf(lost!)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('outcome unknown') })
    clock.advance(60 * 60_000)
    expect(await dispatchDue(deps(clock, timed))).toBe(0)
    expect(waha.sent.filter((message) => String(message.body.text).includes('555555'))).toHaveLength(1)
  })

  it('a WhatsApp row left in "sending" by a dispatcher that died is failed, not resent', async () => {
    const clock = new TestClock()
    const [id] = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone: '254700000444', secrets: { code: '666666' } }, clock.now())
    await asSystem(db, (trx) => trx.updateTable('notifications').set({ status: 'sending', locked_until: new Date(clock.now().getTime() - 1000) })
      .where('id', '=', id!).execute())
    await dispatchDue(deps(clock))
    expect(await rowOf(id!)).toMatchObject({ status: 'failed', last_error: expect.stringContaining('outcome unknown') })
    expect(waha.sent.filter((message) => String(message.body.text).includes('666666'))).toHaveLength(0)
  })
})

describe('pace and configuration', () => {
  it('spaces WhatsApp sends with jitter and hands rows back rather than waiting long', async () => {
    const pacer = createPacer({ intervalMs: 3000, jitter: 0.5, random: () => 1 })
    expect(pacer.reserve(0)).toBe(0)
    expect(pacer.reserve(0)).toBe(4500)
    const clock = new TestClock()
    const slow: MessageSenders = { ...senders(), pace: { email: createPacer({ intervalMs: 0 }), whatsapp: createPacer({ intervalMs: 60_000 }) } }
    const a = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone: '254700000555', secrets: { code: '1' } }, clock.now())
    const b = await enqueue({ type: 'verification_code', channel: 'whatsapp', phone: '254700000556', secrets: { code: '2' } }, clock.now())
    await dispatchDue(deps(clock, slow))
    const rows = [await rowOf(a[0]!), await rowOf(b[0]!)]
    expect(rows.map((row) => row.status).sort()).toEqual(['pending', 'sent'])
    const waiting = rows.find((row) => row.status === 'pending')!
    expect(waiting.retry_count).toBe(0) // a pace slot is not an attempt
    expect(waiting.next_attempt_at!.getTime()).toBeGreaterThan(clock.now().getTime() + 50_000)
  })

  it('production refuses to start without a sender unless NOTIFICATIONS=off; off sends nothing', async () => {
    expect(() => notificationSendersFromEnv({}, 'production')).toThrow(/No message sender is configured/)
    expect(() => notificationSendersFromEnv({ RESEND_API_KEY: 're_x' }, 'production')).toThrow(/EMAIL_FROM/)
    expect(() => notificationSendersFromEnv({ WAHA_URL: 'http://127.0.0.1:1', WAHA_MAX_PER_MINUTE: 'lots' }, 'production')).toThrow(/WAHA_MAX_PER_MINUTE/)
    expect(notificationSendersFromEnv({ WAHA_URL: 'http://127.0.0.1:1' }, 'production').whatsapp.name).toBe('waha')
    expect(notificationSendersFromEnv({ RESEND_API_KEY: 're_x', EMAIL_FROM: 'a@b.test' }, 'production').email.name).toBe('resend')
    const dev = notificationSendersFromEnv({}, 'development')
    expect([dev.email, dev.whatsapp]).toEqual([outboxEmailSender, outboxWhatsAppSender])
    const off = notificationSendersFromEnv({ NOTIFICATIONS: 'off' }, 'production')
    expect(off.enabled).toBe(false)
    const clock = new TestClock()
    const [id] = await enqueue({ channel: 'email', email: `${unique('off')}@example.test` }, clock.now())
    expect(await dispatchDue(deps(clock, off))).toBe(0)
    expect((await rowOf(id!)).status).toBe('pending')
  })
})

describe('one path', () => {
  it('leaves within seconds of the request that wrote the message (the dispatcher is kicked after the commit)', async () => {
    const { createTestApp } = await import('../support/app.ts')
    const { createAccount } = await import('../support/fixtures.ts')
    const { TestClient } = await import('../support/client.ts')
    const person = await createAccount(db)
    const { app } = createTestApp(db, { deps: { senders: senders(), secretKeys: ring, dispatchAfterRequest: true } })
    const started = Date.now()
    const res = await new TestClient(app).post('/password/forgot', { email: person.email! })
    expect(res.status).toBeLessThan(400)
    while (!resend.accepted.some((email) => (email.body.to as string[])[0] === person.email) && Date.now() - started < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const sent = resend.accepted.find((email) => (email.body.to as string[])[0] === person.email)
    expect(sent, 'the reset email reached Resend within 5 s').toBeDefined()
    expect(String(sent!.body.text)).toMatch(/\/password\/reset\?token=[A-Za-z0-9_-]{20,}/)
    // the kicked dispatcher finishes its pass (the row is recorded as sent) before the file closes the database
    const statusOf = () => asSystem(db, (trx) => trx.selectFrom('notifications').select('status')
      .where(sql`content->>'to'`, '=', person.email!).executeTakeFirst())
    while ((await statusOf())?.status !== 'sent' && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 50))
    expect((await statusOf())?.status).toBe('sent')
  })

  it('nothing but the dispatcher calls a sender', async () => {
    const { readFileSync } = await import('node:fs')
    const { sourceFiles, SRC } = await import('../support/source-files.ts')
    const root = SRC.replace(/\/$/, '')
    const files = sourceFiles()
    const callers = files.filter((file) => /\b(email|whatsapp)\.(send|sendBatch)\(/.test(readFileSync(file, 'utf8')))
      .map((file) => file.slice(root.length + 1))
    expect(callers).toEqual(['notifications/dispatcher.ts'])
    expect(files.some((file) => readFileSync(file, 'utf8').includes('sendPlatformMessage'))).toBe(false)
  })
})
