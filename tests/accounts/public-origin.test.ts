/**
 * Links in messages and the CSRF check come from the configured public origin, never from the Host
 * header; every unsafe request that carries our cookies is checked, whatever its content type, while
 * machine callers (Daraja, QStash, the bearer-token API) keep working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readConfig } from '../../src/config.ts'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { createAccount, createTenant, lastMessageTo, TEST_PASSWORD, unique } from '../support/fixtures.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

const OURS = 'http://localhost:8105'
const FORGED = 'http://attacker.example'

/** The app as `npm start` configures it in development on port 8105, without PUBLIC_URL. */
function developmentApp() {
  const config = readConfig({ APP_ENV: 'development', PORT: '8105' })
  const google = { clientId: 'id', clientSecret: 'secret', authorizeUrl: 'https://accounts.example/auth',
    tokenUrl: 'https://accounts.example/token', userinfoUrl: 'https://accounts.example/userinfo' }
  return createTestApp(db, { deps: { config, google } }).app
}

const bodyOf = async (email: string) => ((await lastMessageTo(db, email))!.content as { body: string }).body

describe('configuration of the public origin', () => {
  it('refuses to start in production without PUBLIC_URL, with a clear message', () => {
    expect(() => readConfig({ APP_ENV: 'production' })).toThrow(/PUBLIC_URL must be set in production/)
    expect(readConfig({ APP_ENV: 'production', PUBLIC_URL: 'https://tikiti.example/' }).publicUrl).toBe('https://tikiti.example')
    expect(() => readConfig({ APP_ENV: 'production', PUBLIC_URL: 'tikiti.example' })).toThrow(/PUBLIC_URL must be an http\(s\) origin/)
    // migrations and seeding build no links
    expect(readConfig({ APP_ENV: 'production' }, { serving: false }).publicUrl).toBeUndefined()
  })

  it('defaults to the local server in development, and PUBLIC_URL overrides it', () => {
    expect(readConfig({ PORT: '8105' }).publicUrl).toBe('http://localhost:8105')
    expect(readConfig({}).publicUrl).toBe('http://localhost:8000')
    expect(readConfig({ PORT: '8105', PUBLIC_URL: 'https://dev.tikiti.example' }).publicUrl).toBe('https://dev.tikiti.example')
  })
})

describe('links sent by email, with a forged Host header', () => {
  it('point at the configured origin: password reset, email confirmation, staff invitation', async () => {
    const app = developmentApp()
    // the request reaches us under the attacker's host name; its Origin is our page's
    const browser = new TestClient(app, { origin: OURS })
    const person = await createAccount(db)
    expect((await browser.post(`${FORGED}/password/forgot`, { email: person.email! })).status).toBe(200)
    expect(await bodyOf(person.email!)).toContain(`${OURS}/password/reset?token=`)

    const email = `${unique('reg')}@example.test`
    expect((await browser.post(`${FORGED}/register`, { name: 'Achieng', email, password: 'a-long-password' })).status).toBe(303)
    expect(await bodyOf(email)).toContain(`${OURS}/account/verify-email?token=`)

    const tenant = await createTenant(db)
    const managerAccount = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    const manager = new TestClient(app, { origin: OURS })
    await manager.post('/login', { email: managerAccount.email!, password: TEST_PASSWORD })
    const invitee = `${unique('invitee')}@example.test`
    expect((await manager.post(`${FORGED}/manage/staff/invite`, { email: invitee, role: 'scanner' })).status).toBe(303)
    const invitation = await bodyOf(invitee)
    expect(invitation).toContain(`${OURS}/invitations/accept?token=`)
    expect(invitation).not.toContain('attacker.example')
  })

  it('sends Google back to the configured origin', async () => {
    const start = await new TestClient(developmentApp()).get(`${FORGED}/auth/google`)
    expect(start.status).toBe(302)
    expect(new URL(start.headers.get('location')!).searchParams.get('redirect_uri')).toBe(`${OURS}/auth/google/callback`)
  })

  it('refuses a form whose Origin matches the forged Host but not the configured origin', async () => {
    const person = await createAccount(db)
    const res = await new TestClient(developmentApp(), { origin: FORGED }).post(`${FORGED}/password/forgot`, { email: person.email! })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('sent from another site')
    expect(await lastMessageTo(db, person.email!)).toBeUndefined()
  })
})

describe('CSRF on every cookie-authenticated unsafe request', () => {
  async function signedIn() {
    const { app } = createTestApp(db)
    const browser = new TestClient(app)
    await browser.post('/login', { email: (await createAccount(db)).email!, password: TEST_PASSWORD })
    expect(browser.signedIn).toBe(true)
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    return { app, browser, cookie }
  }

  it('refuses a JSON sign-out from another site with 403 and the catalog message; the session lives on', async () => {
    const { app, browser, cookie } = await signedIn()
    const res = await app.request('/logout', {
      method: 'POST', body: '{}', headers: { 'content-type': 'application/json', origin: 'https://evil.example', cookie },
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('This form was sent from another site')
    const sw = await app.request('/logout', {
      method: 'POST', body: '{}',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', cookie, 'accept-language': 'sw' },
    })
    expect(sw.status).toBe(403)
    expect(await sw.text()).toContain('Fomu hii ilitumwa kutoka tovuti nyingine')
    // without any Origin or Sec-Fetch-Site, a cookie-carrying JSON post is refused too
    const bare = await app.request('/logout', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', cookie } })
    expect(bare.status).toBe(403)
    expect((await browser.get('/account')).status).toBe(200)
  })

  it('refuses a form sign-out from another site, and takes one the browser says is same-origin', async () => {
    const { app, browser, cookie } = await signedIn()
    const form = { 'content-type': 'application/x-www-form-urlencoded', cookie }
    const forged = await app.request('/logout', { method: 'POST', body: '', headers: { ...form, origin: 'https://evil.example' } })
    expect(forged.status).toBe(403)
    expect(await forged.text()).toContain('This form was sent from another site')
    const crossSite = await app.request('/logout', { method: 'POST', body: '', headers: { ...form, 'sec-fetch-site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
    expect((await browser.get('/account')).status).toBe(200)
    const ours = await app.request('/logout', { method: 'POST', body: '', headers: { ...form, 'sec-fetch-site': 'same-origin' } })
    expect(ours.status).toBe(303)
    expect((await browser.get('/account')).status).toBe(303)
  })

  it('lets machine callers without our cookies through: M-Pesa callbacks, QStash, the JSON API', async () => {
    const { app } = createTestApp(db)
    const json = { 'content-type': 'application/json', origin: 'https://safaricom.example' }
    const callback = await app.request(`/payments/mpesa/callback/${crypto.randomUUID()}/${'x'.repeat(43)}`,
      { method: 'POST', headers: json, body: '{"Body":{}}' })
    expect(callback.status).toBe(200)
    expect((await callback.json()).ResultDesc).toBe('Accepted')
    // QStash is not configured in this app: the route answers 404, not the CSRF 403
    expect((await app.request('/jobs/qstash', { method: 'POST', headers: json, body: '{}' })).status).toBe(404)
    const api = await app.request(`/api/v1/events/${crypto.randomUUID()}/reservations`, {
      method: 'POST', headers: { ...json, cookie: 'lang=sw', 'idempotency-key': unique('key') },
      body: JSON.stringify({ items: [{ ticketTypeId: crypto.randomUUID(), quantity: 1 }] }),
    })
    expect(api.status).not.toBe(403)
    expect(api.status).toBeLessThan(500)
  })
})
