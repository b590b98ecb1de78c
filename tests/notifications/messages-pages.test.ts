/** The managers' message pages: wording per type and language (placeholders checked, HTML escaped), the log, send again; tenants apart. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import type { User } from '../../src/db/schema.ts'
import { SYSTEM, withContext } from '../../src/db/request-context.ts'
import { enqueueNotification } from '../../src/notifications/outbox.ts'
import { renderNotification } from '../../src/notifications/render.ts'
import { fillHtml, fillText } from '../../src/notifications/templates.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createEvent, createTenant, TEST_PASSWORD, unique } from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let tenantA: string
let tenantB: string
let managerA: TestClient
let managerB: TestClient
let admin: TestClient
let eventA: string

async function signIn(account: User) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`)
  return client
}

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
  tenantA = (await createTenant(db, { name: 'Sauti Events' })).id
  tenantB = (await createTenant(db, { name: 'Other Events' })).id
  eventA = (await createEvent(db, tenantA, { title: 'Jazz by the Lake' })).event.id
  managerA = await signIn(await createAccount(db, { tenantId: tenantA, membership: 'manager' }))
  managerB = await signIn(await createAccount(db, { tenantId: tenantB, membership: 'manager' }))
  admin = await signIn(await createAccount(db, { role: 'super_admin' }))
})
afterAll(() => db.destroy())

const stored = (tenantId: string) => asSystem(db, (trx) => trx.selectFrom('notification_templates').selectAll().where('tenant_id', '=', tenantId).execute())

async function delivery(tenantId: string, data: Record<string, string>, eventId: string | null = null) {
  const [id] = await withContext(db, SYSTEM, (trx) => enqueueNotification(trx, {
    type: 'ticket_delivery', channel: 'email', email: `${unique('b')}@example.test`, tenantId, userId: null, eventId, lang: 'en', now: new Date(),
    data, secrets: { ticketsLink: 'https://tikiti.test/tickets/open/secret' },
  }))
  return id!
}
const rendered = (id: string) => asSystem(db, async (trx) =>
  renderNotification(trx, await trx.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow(), undefined))

describe('message wording', () => {
  it('lists each buyer message with its languages, and edits one with its placeholders and a preview', async () => {
    const list = await (await managerA.get('/manage/messages')).text()
    expect(list).toContain('Tickets after payment')
    expect(list).toContain('href="/manage/messages/ticket_delivery/sw"')
    const editor = await (await managerA.get('/manage/messages/ticket_delivery/en')).text()
    expect(editor).toContain('{{ticketsLink}}')
    expect(editor).toContain('Your tickets for Nairobi Jazz Night') // the preview, with sample data
    const sw = await (await managerA.get('/manage/messages/ticket_delivery/sw', { 'accept-language': 'sw' })).text()
    expect(sw).toContain('Tiketi zako za')
  })

  it('saves a tenant’s wording, which the next message uses; reset brings the platform’s back', async () => {
    const saved = await managerA.post('/manage/messages/ticket_delivery/en', { subject: 'Tiketi: {{eventTitle}}', body: 'Karibu {{buyerName}}! {{ticketsLink}}' })
    expect(saved.status).toBe(303)
    const id = await delivery(tenantA, { buyerName: 'Amina', eventTitle: 'Jazz by the Lake' })
    expect(await rendered(id)).toMatchObject({ subject: 'Tiketi: Jazz by the Lake', text: 'Karibu Amina! https://tikiti.test/tickets/open/secret' })
    // another tenant's messages keep the platform wording
    const other = await delivery(tenantB, { buyerName: 'Baraka', eventTitle: 'Other' })
    expect((await rendered(other)).subject).toBe('Your tickets for Other')
    expect((await managerA.post('/manage/messages/ticket_delivery/en/reset')).status).toBe(303)
    expect((await rendered(id)).subject).toBe('Your tickets for Jazz by the Lake')
    expect(await stored(tenantA)).toEqual([])
  })

  it('refuses unknown placeholders, stray braces and empty text with a clear 422, storing nothing', async () => {
    const cases = [
      [{ subject: 'Hi', body: 'Your password: {{password}}' }, 'Unknown placeholder: password. This message can use: {{buyerName}}'],
      [{ subject: 'Hi {{retryLink}}', body: 'ok' }, 'Unknown placeholder: retryLink.'],
      [{ subject: 'Hi', body: 'Broken {{eventTitle' }, 'Unknown placeholder: {{eventTitle'],
      [{ subject: 'Hi', body: '   ' }, 'Write the text of the message.'],
      [{ subject: '', body: 'x' }, 'Write a subject.'],
      [{ subject: 'x', body: 'y'.repeat(5001) }, 'This is too long.'],
    ] as const
    for (const [form, message] of cases) {
      const res = await managerA.post('/manage/messages/event_reminder/en', form)
      expect(res.status, JSON.stringify(form).slice(0, 60)).toBe(422)
      expect(await res.text()).toContain(message.replace(/&/g, '&amp;'))
    }
    expect(await managerA.post('/manage/messages/password_reset/en', { subject: 'x', body: 'y' }).then((r) => r.status)).toBe(404)
    expect(await managerA.post('/manage/messages/ticket_delivery/fr', { subject: 'x', body: 'y' }).then((r) => r.status)).toBe(404)
    expect(await stored(tenantA)).toEqual([])
  })

  it('escapes HTML in a template and in a buyer’s name in the email’s HTML part', async () => {
    const res = await managerA.post('/manage/messages/ticket_delivery/sw', { subject: 'Hi', body: '<b onclick="x()">Hello</b> {{buyerName}} {{ticketsLink}}' })
    expect(res.status).toBe(303)
    const values = { buyerName: '<img src=x onerror=alert(1)>', ticketsLink: 'https://tikiti.test/tickets/open/a"b' }
    const html = fillHtml('<b onclick="x()">Hello</b> {{buyerName}} {{ticketsLink}}', values)
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<b onclick')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(html).toContain('<a href="https://tikiti.test/tickets/open/a&quot;b">')
    expect(fillText('{{buyerName}}', values)).toBe('<img src=x onerror=alert(1)>')
    const page = await (await managerA.get('/manage/messages/ticket_delivery/sw')).text()
    expect(page).not.toContain('<b onclick')
    expect(page).toContain('&lt;b onclick=')
  })

  it('keeps tenants apart: B never sees or changes A’s wording', async () => {
    await managerA.post('/manage/messages/refund_issued/en', { subject: 'A refund', body: 'A: {{amount}}' })
    const bPage = await (await managerB.get('/manage/messages/refund_issued/en')).text()
    expect(bPage).not.toContain('A: {{amount}}')
    await managerB.post('/manage/messages/refund_issued/en/reset')
    expect((await stored(tenantA)).map((row) => row.body)).toContain('A: {{amount}}')
  })
})

describe('the message log', () => {
  it('shows the tenant’s messages with status, attempts and error, filters them, and sends a failed one again', async () => {
    const failed = await delivery(tenantA, { buyerName: 'X', eventTitle: 'Jazz by the Lake' }, eventA)
    await asSystem(db, (trx) => trx.updateTable('notifications').set({ status: 'failed', retry_count: 6, last_error: 'resend 500 application_error' })
      .where('id', '=', failed).execute())
    const theirs = await delivery(tenantB, { buyerName: 'Y', eventTitle: 'Other' })
    await asSystem(db, (trx) => trx.updateTable('notifications').set({ status: 'failed', last_error: 'tenant B error' }).where('id', '=', theirs).execute())
    const page = await (await managerA.get(`/manage/messages/log?status=failed&event=${eventA}`)).text()
    expect(page).toContain('resend 500 application_error')
    expect(page).toContain(`/manage/messages/log/${failed}/resend`)
    expect(page).not.toContain('tenant B error')
    const sent = await (await managerA.get('/manage/messages/log?status=sent')).text()
    expect(sent).not.toContain('resend 500 application_error')
    // B cannot send A's message again, nor A B's
    expect((await managerB.post(`/manage/messages/log/${failed}/resend`)).status).toBe(404)
    expect((await managerA.post(`/manage/messages/log/${theirs}/resend`)).status).toBe(404)
    expect((await managerA.post('/manage/messages/log/not-a-uuid/resend')).status).toBe(404)
    const again = await managerA.post(`/manage/messages/log/${failed}/resend`)
    expect(again.status).toBe(303)
    const row = await asSystem(db, (trx) => trx.selectFrom('notifications').select(['status', 'retry_count']).where('id', '=', failed).executeTakeFirstOrThrow())
    expect(row).toEqual({ status: 'pending', retry_count: 0 })
    expect((await managerA.post(`/manage/messages/log/${failed}/resend`)).status).toBe(404) // only failed ones
  })

  it('shows the super admin every tenant’s messages', async () => {
    const page = await (await admin.get('/admin/messages/log?status=failed')).text()
    expect(page).toContain('tenant B error')
    expect(page).toContain('Other Events')
    expect((await managerA.get('/admin/messages/log')).status).toBe(403)
  })
})
