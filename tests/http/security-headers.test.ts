import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { SIMULATOR_PHONES } from '../../src/payments/simulator/daraja-simulator.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { createAccount, createEvent, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'
import { createPaymentKit, giveMpesaCredentials, type PaymentKit } from '../support/payments.ts'

let db: Database
let kit: PaymentKit
let manager: TestClient
let admin: TestClient
let buyer: TestClient
let eventPath: string
let manageEventPath: string
let holdPath: string
let pendingPath: string
let scanEventPath: string

async function signedIn(account: { email: string | null }) {
  const client = new TestClient(kit.app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  expect(res.status).toBe(303)
  return client
}

beforeAll(async () => {
  db = await openTestDatabase()
  kit = await createPaymentKit(db)
  const tenant = await createTenant(db, { name: 'Thika Sounds' })
  await giveMpesaCredentials(db, kit.ring, tenant.id)
  const { event, ticketTypes } = await createEvent(db, tenant.id, {
    ticketTypes: [{ name: 'Regular', price_minor: 150_000, capacity: 1500 }],
  })
  eventPath = `/events/${event.slug}`
  manageEventPath = `/manage/events/${event.id}`
  scanEventPath = `/scan/events/${event.id}`
  manager = await signedIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
  admin = await signedIn(await createAccount(db, { role: 'super_admin' }))
  buyer = new TestClient(kit.app)
  const reserve = (client: TestClient) => client.post(`${eventPath}/reserve`, { [`qty_${ticketTypes[0]!.id}`]: '1' })
  holdPath = (await reserve(buyer)).headers.get('location')!
  pendingPath = (await reserve(buyer)).headers.get('location')!
  expect((await buyer.post(`${pendingPath}/pay`, { phone: `0${SIMULATOR_PHONES.noCallback.slice(3)}` })).status).toBe(303)
  await kit.sim.settle()
})
afterAll(() => db.destroy())

/** The policy's directives by name. */
function directives(res: Response): Map<string, string[]> {
  const header = res.headers.get('content-security-policy')
  expect(header, 'Content-Security-Policy').toBeTruthy()
  return new Map(header!.split(';').map((part) => part.trim().split(/\s+/)).map(([name = '', ...values]) => [name, values]))
}

function expectEnforcedHeaders(res: Response, label: string) {
  expect(res.headers.get('content-security-policy-report-only'), label).toBeNull()
  const csp = directives(res)
  expect(csp.get('default-src'), label).toEqual(["'none'"])
  expect(csp.get('script-src'), label).toEqual(["'self'"])
  expect(csp.get('frame-ancestors'), label).toEqual(["'none'"])
  expect(csp.get('base-uri'), label).toEqual(["'none'"])
  expect(csp.get('form-action'), label).toEqual(["'self'"])
  expect(csp.get('require-trusted-types-for'), label).toEqual(["'script'"])
  for (const values of csp.values()) {
    expect(values, label).not.toContain("'unsafe-inline'")
    expect(values, label).not.toContain("'unsafe-eval'")
  }
  const hsts = res.headers.get('strict-transport-security') ?? ''
  expect(Number(/max-age=(\d+)/.exec(hsts)?.[1]), label).toBeGreaterThanOrEqual(31_536_000)
  expect(hsts, label).toMatch(/includeSubDomains/)
  expect(res.headers.get('x-content-type-options'), label).toBe('nosniff')
}

/**
 * What the policy would block or what would defeat it: a <script> without src (or nonce), an on…=
 * handler, a javascript: URL, a style attribute, a <style> whose hash the policy does not list.
 */
async function expectNothingInline(res: Response, label: string) {
  const html = await res.text()
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)]
  for (const [, attributes = '', body = ''] of scripts) {
    if (!/\bnonce=/.test(attributes)) {
      expect(attributes, `${label}: a script without src`).toMatch(/\bsrc="\/assets\//)
      expect(body.trim(), `${label}: an external script with a body`).toBe('')
    }
  }
  const tags = [...html.matchAll(/<[a-z][^>]*>/gi)].map(([tag]) => tag)
  expect(tags.length, label).toBeGreaterThan(10)
  expect(tags.filter((tag) => /\son[a-z]+\s*=/i.test(tag)), `${label}: inline event handlers`).toEqual([])
  expect(tags.filter((tag) => /\sstyle\s*=/i.test(tag)), `${label}: style attributes`).toEqual([])
  expect(html, label).not.toMatch(/javascript:/i)
  const allowed = directives(res).get('style-src') ?? []
  const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(([, css = '']) => css)
  for (const css of styles) {
    expect(allowed, `${label}: a stylesheet not allowed by hash`).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`)
  }
  return { html, styles: styles.length }
}

describe('Content-Security-Policy and HSTS', () => {
  it('are sent, enforced, on every kind of response: buyer and portal pages, fragments, errors, JSON', async () => {
    const responses: Array<[string, Response]> = [
      ['home', await buyer.get('/')],
      ['event page', await buyer.get(eventPath)],
      ['hold page', await buyer.get(holdPath)],
      ['payment status fragment', await buyer.get(`${pendingPath}/payment-status`, { 'HX-Request': 'true' })],
      ['manage event page', await manager.get(manageEventPath)],
      ['manage event fragment', await manager.get(manageEventPath, { 'HX-Request': 'true' })],
      ['payments', await manager.get('/manage/payments')],
      ['not found page', await buyer.get('/no-such-page')],
      ['portal page refused', await buyer.get('/manage')],
      ['form error (422)', await buyer.post('/login', { email: 'nobody', password: '' })],
      ['API JSON', await buyer.get('/api/v1/events')],
      ['API error JSON', await buyer.get('/api/v1/events/not-an-id')],
      ['OpenAPI', await buyer.get('/api/v1/openapi.json')],
      ['health check', await buyer.get('/healthz')],
    ]
    expect(responses.map(([, res]) => res.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 404, 303, 422, 200, 404, 200, 200])
    for (const [label, res] of responses) expectEnforcedHeaders(res, label)
  })

  it('the main pages have no inline script, no on…= handler, and only stylesheets the policy lists', async () => {
    const pages: Array<[string, TestClient, string]> = [
      ['home', buyer, '/'], ['events', buyer, '/events'], ['event page', buyer, eventPath],
      ['hold page', buyer, holdPath], ['payment pending', buyer, pendingPath],
      ['login', new TestClient(kit.app), '/login'], ['register', new TestClient(kit.app), '/register'],
      ['account', manager, '/account'], ['manage', manager, '/manage'], ['manage events', manager, '/manage/events'],
      ['new event', manager, '/manage/events/new'], ['manage event', manager, manageEventPath], ['staff', manager, '/manage/staff'],
      ['M-Pesa settings', manager, '/manage/mpesa'], ['payments', manager, '/manage/payments'],
      ['scan', manager, '/scan'], ['scan event', manager, scanEventPath], ['admin', admin, '/admin'], ['audit log', admin, '/admin/audit'], ['organiser audit log', manager, '/manage/audit'],
      ['sessions', manager, '/account/sessions'], ['my tickets', manager, '/tickets'], ['apply', manager, '/manage/apply'],
      ['forgot password', new TestClient(kit.app), '/password/forgot'], ['outbox', buyer, '/dev/outbox'],
      ['not found', buyer, '/no-such-page'],
    ]
    let stylesheets = 0
    for (const [label, client, path] of pages) {
      const res = await client.get(path)
      expect(res.status, label).toBe(label === 'not found' ? 404 : 200)
      stylesheets += (await expectNothingInline(res, label)).styles
    }
    expect(stylesheets).toBeGreaterThanOrEqual(pages.length)
  })

  it('the pages that run scripts load them from static/assets/ only, and the event page loads none', async () => {
    const scriptsOf = async (client: TestClient, path: string) =>
      [...(await (await client.get(path)).text()).matchAll(/<script src="([^"]+)"/g)].map(([, src]) => src)
    expect(await scriptsOf(buyer, eventPath)).toEqual([])
    expect(await scriptsOf(buyer, holdPath)).toEqual([expect.stringMatching(/^\/assets\/tikiti-[0-9a-f]{10}\.js$/)])
    expect(await scriptsOf(manager, manageEventPath)).toEqual([
      expect.stringMatching(/^\/assets\/htmx-[\d.]+\.min\.js$/), expect.stringMatching(/^\/assets\/tikiti-[0-9a-f]{10}\.js$/),
    ])
  })

  it('the Daraja simulator\'s phone page has the same policy and nothing inline', async () => {
    const res = await kit.sim.app.request('/phone')
    expect(res.status).toBe(200)
    const csp = directives(res)
    expect(csp.get('default-src')).toEqual(["'none'"])
    expect(csp.get('frame-ancestors')).toEqual(["'none'"])
    expect((await expectNothingInline(res, 'simulated phone')).styles).toBe(1)
  })
})
