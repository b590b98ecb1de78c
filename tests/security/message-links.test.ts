/**
 * An organiser words their buyers' messages, but the secret links in them (a guest's ticket link signs
 * the guest in) must reach the buyer as our own link: a template may not glue a link placeholder into
 * a URL of its own, where the buyer's click would hand the secret to another site.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import type { User } from '../../src/db/schema.ts'
import { TENANT_TYPES } from '../../src/notifications/templates.ts'
import { defaultTemplate, gluedLinks, unknownPlaceholders } from '../../src/notifications/templates.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let tenant: string
let manager: TestClient

async function signIn(account: User) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`)
  return client
}

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
  tenant = (await createTenant(db)).id
  manager = await signIn(await createAccount(db, { tenantId: tenant, membership: 'manager' }))
})
afterAll(() => db.destroy())

const stored = () => asSystem(db, (trx) => trx.selectFrom('notification_templates').selectAll().where('tenant_id', '=', tenant).execute())

describe('secret links in organisers’ wording', () => {
  it('refuses a link placeholder glued into another URL, with a 422, storing nothing', async () => {
    const bodies = [
      'Your tickets: https://evil.example/?next={{ticketsLink}}',
      'Tickets: evil.example/{{ticketsLink}}',
      'Tickets:{{ticketsLink}}',
      'Tickets: x{{ ticketsLink }}',
    ]
    for (const body of bodies) {
      const res = await manager.post('/manage/messages/ticket_delivery/en', { subject: 'Tickets', body })
      expect(res.status, body).toBe(422)
      expect(await res.text()).toContain('on its own')
    }
    const retry = await manager.post('/manage/messages/payment_failed/en', { subject: 'Retry', body: 'Again: https://x.example/#{{retryLink}}' })
    expect(retry.status).toBe(422)
    expect(await stored()).toEqual([])
  })

  it('keeps a link that stands on its own, at the start, after a space or a bracket, and followed by punctuation', async () => {
    const res = await manager.post('/manage/messages/ticket_delivery/en', { subject: 'Tickets', body: '{{ticketsLink}}\nHere: {{ticketsLink}}. (or {{ticketsLink}})' })
    expect(res.status).toBe(303)
    expect(await stored()).toHaveLength(1)
  })

  it('the platform’s own wording follows the rule', () => {
    for (const type of TENANT_TYPES) {
      for (const lang of ['en', 'sw'] as const) {
        const template = defaultTemplate(type, lang)!
        expect(unknownPlaceholders(type, template.body), `${type}/${lang}`).toEqual([])
        expect(gluedLinks(template.body), `${type}/${lang}`).toEqual([])
      }
    }
  })
})
