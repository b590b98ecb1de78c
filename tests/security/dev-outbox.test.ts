/**
 * The dev outbox shows, to anyone, what would have been sent, secret links opened. Once a channel has
 * a real sender (a staging server left in development mode, say), its messages really leave and the
 * outbox must not show them: a password reset link there is anyone's account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SYSTEM, withContext } from '../../src/db/request-context.ts'
import { enqueueNotification } from '../../src/notifications/outbox.ts'
import { createPacer } from '../../src/notifications/pace.ts'
import { resendSender } from '../../src/notifications/resend-sender.ts'
import { OUTBOX_SENDERS, outboxWhatsAppSender } from '../../src/notifications/senders.ts'
import { createTestApp } from '../support/app.ts'
import { openTestDatabase } from '../support/database.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
  await withContext(db, SYSTEM, async (trx) => {
    await enqueueNotification(trx, {
      type: 'password_reset', channel: 'email', email: 'victim@example.test', tenantId: null, userId: null, eventId: null, lang: 'en',
      now: new Date(), secrets: { resetLink: 'https://tikiti.test/password/reset/EMAILSECRET' },
    })
    await enqueueNotification(trx, {
      type: 'verification_code', channel: 'whatsapp', phone: '254712345678', tenantId: null, userId: null, eventId: null, lang: 'en',
      now: new Date(), data: { code: '482913' },
    })
  })
})
afterAll(() => db.destroy())

const outboxOf = async (app: ReturnType<typeof createTestApp>['app']) => app.request('/dev/outbox')

describe('the dev outbox', () => {
  it('shows every message when no channel has a real sender', async () => {
    const { app } = createTestApp(db, { deps: { senders: OUTBOX_SENDERS } })
    const text = await (await outboxOf(app)).text()
    expect(text).toContain('EMAILSECRET')
    expect(text).toContain('482913')
  })

  it('hides the messages of a channel that really sends', async () => {
    const senders = {
      ...OUTBOX_SENDERS,
      email: resendSender({ apiKey: 're_test_key', from: 'tickets@tikiti.test', baseUrl: 'http://127.0.0.1:9', maxPerSecond: 1 }),
      whatsapp: outboxWhatsAppSender,
      pace: { email: createPacer({ intervalMs: 0 }), whatsapp: createPacer({ intervalMs: 0 }) },
    }
    const { app } = createTestApp(db, { deps: { senders } })
    const res = await outboxOf(app)
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain('EMAILSECRET')
    expect(text).not.toContain('victim@example.test')
    expect(text).toContain('482913')
  })
})
