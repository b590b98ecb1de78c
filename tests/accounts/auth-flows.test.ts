import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createTenant, lastMessageTo, linkIn, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import { findLiveDevice, issueDeviceToken } from '../../src/scanning/devices.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

function setup() {
  const clock = new TestClock()
  const { app } = createTestApp(db, { now: clock.now })
  return { app, clock, client: () => new TestClient(app) }
}

const countUsers = (email: string) =>
  asSystem(db, async (trx) => (await trx.selectFrom('users').select('id').where('email', '=', email).execute()).length)

describe('registration', () => {
  it('creates the account, signs in with a __Host- cookie, and emails a confirmation link', async () => {
    const { client } = setup()
    const browser = client()
    const email = `${unique('reg')}@example.test`
    const res = await browser.post('/register', { name: 'Wanjiru', email, password: 'a-long-password', phone: '0712 345 678' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/account?notice=verificationSent')
    const cookie = res.headers.getSetCookie().find((line) => line.startsWith('__Host-session='))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/Secure/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).toMatch(/Path=\//)
    expect(cookie).not.toMatch(/Domain=/i)
    const token = cookie.split(';')[0]!.split('=')[1]!
    expect(token.length).toBeGreaterThanOrEqual(43) // 256 bits, base64url
    const stored = await asSystem(db, (trx) => trx.selectFrom('users').select(['phone', 'password_hash']).where('email', '=', email).executeTakeFirstOrThrow())
    expect(stored.phone).toBe('254712345678')
    expect(stored.password_hash).toMatch(/^\$argon2id\$/)
    const sessions = await asSystem(db, (trx) => trx.selectFrom('sessions').select('token_hash').execute())
    expect(sessions.some((s) => s.token_hash === token)).toBe(false)
    const message = await lastMessageTo(db, email)
    expect(message?.type).toBe('email_verification')
    expect((await browser.get('/account')).status).toBe(200)
  })

  it.each([
    ['everything empty', { name: '', email: '', password: '' }, 'Please fill this in.'],
    ['a malformed email', { name: 'A', email: 'not-an-email', password: 'a-long-password' }, 'Enter an email address'],
    ['a short password', { name: 'A', email: 'short@example.test', password: 'short' }, 'Use 10 to 200 characters.'],
    ['a name too long', { name: 'x'.repeat(121), email: 'long@example.test', password: 'a-long-password' }, 'This is too long.'],
    ['a phone that is not Kenyan', { name: 'A', email: 'ph@example.test', password: 'a-long-password', phone: '12345' }, 'Kenyan phone number'],
  ])('refuses %s with 422 and a clear message, creating nothing', async (_case, form, message) => {
    const { client } = setup()
    const res = await client().post('/register', form)
    expect(res.status).toBe(422)
    expect(await res.text()).toContain(message)
    if (form.email) expect(await countUsers(form.email)).toBe(0)
  })

  it('refuses an email that already has an account, whatever its case', async () => {
    const { client } = setup()
    const existing = await createAccount(db)
    const res = await client().post('/register', { name: 'B', email: existing.email!.toUpperCase(), password: 'a-long-password' })
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('An account with this email already exists')
  })

  it('answers Swahili readers in Swahili', async () => {
    const { client } = setup()
    const res = await client().post('/register?lang=sw', { name: '', email: '', password: '' })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Tafadhali jaza hapa.')
  })
})

describe('sign-in and sign-out', () => {
  it('signs in with the right password, lands by role, and audits it', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const browser = client()
    const res = await browser.post('/login', { email: person.email!, password: TEST_PASSWORD })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/start')
    expect((await browser.get('/start')).headers.get('location')).toBe('/account')
    const audit = await asSystem(db, (trx) => trx.selectFrom('audit_log').select('action').where('actor_user_id', '=', person.id).execute())
    expect(audit.map((row) => row.action)).toContain('login')
  })

  it('goes back to a same-site page after signing in, never to another site', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const back = await client().post('/login', { email: person.email!, password: TEST_PASSWORD, next: '/account/sessions' })
    expect(back.headers.get('location')).toBe('/account/sessions')
    for (const next of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      const res = await client().post('/login', { email: person.email!, password: TEST_PASSWORD, next })
      expect(res.headers.get('location'), next).toBe('/start')
    }
  })

  it('refuses a wrong password or unknown email the same way, and audits the failure', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const wrong = await client().post('/login', { email: person.email!, password: 'not-the-password' })
    const unknown = await client().post('/login', { email: 'nobody@example.test', password: 'not-the-password' })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const wrongText = await wrong.text()
    expect(wrongText).toContain('That email and password do not match an account.')
    expect(wrongText).toContain(person.email!) // the email is kept in the form
    expect(wrongText).not.toContain('not-the-password')
    const audit = await asSystem(db, (trx) => trx.selectFrom('audit_log').select('action').where('actor_user_id', '=', person.id).execute())
    expect(audit.map((row) => row.action)).toContain('login_failed')
  })

  it('locks an account after 10 failed sign-ins in 15 minutes, says for how long, and lets it in after', async () => {
    const { client, clock } = setup()
    const person = await createAccount(db)
    for (let i = 0; i < 10; i++) {
      expect((await client().post('/login', { email: person.email!, password: 'wrong-password' })).status).toBe(401)
    }
    const locked = await client().post('/login', { email: person.email!, password: TEST_PASSWORD })
    expect(locked.status).toBe(429)
    expect(await locked.text()).toMatch(/Try again in 1[0-5] minutes/)
    clock.advance(16 * MINUTE)
    expect((await client().post('/login', { email: person.email!, password: TEST_PASSWORD })).status).toBe(303)
  })

  it('refuses a sign-in posted from another site (CSRF), in the reader’s language', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const browser = client()
    const res = await browser.post('/login', { email: person.email!, password: TEST_PASSWORD }, { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('sent from another site')
    expect(browser.signedIn).toBe(false)
  })

  it('signs out: the session is revoked server-side, not just the cookie', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const browser = client()
    await browser.post('/login', { email: person.email!, password: TEST_PASSWORD })
    const token = browser.cookies.get('__Host-session')!
    expect((await browser.post('/logout')).headers.get('location')).toBe('/')
    const replay = new TestClient(createTestApp(db).app)
    replay.cookies.set('__Host-session', token)
    expect((await replay.get('/account')).status).toBe(303)
  })

  it('ends a staff session after 30 idle minutes and any staff session after 12 hours', async () => {
    const { client, clock } = setup()
    const { createTenant } = await import('../support/fixtures.ts')
    const tenant = await createTenant(db)
    const manager = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    const browser = client()
    await browser.post('/login', { email: manager.email!, password: TEST_PASSWORD })
    clock.advance(29 * MINUTE)
    expect((await browser.get('/manage')).status).toBe(200)
    clock.advance(31 * MINUTE)
    expect((await browser.get('/manage')).headers.get('location')).toBe('/login?next=%2Fmanage')

    const busy = client()
    await busy.post('/login', { email: manager.email!, password: TEST_PASSWORD })
    for (let step = 1; step <= 35; step++) {
      clock.advance(20 * MINUTE)
      expect((await busy.get('/manage')).status, `after ${step * 20} minutes`).toBe(200)
    }
    clock.advance(20 * MINUTE) // 12 hours since sign-in, though never idle
    expect((await busy.get('/manage')).status).toBe(303)
  })

  it('keeps a buyer signed in for days, but asks for the password again before a sensitive action', async () => {
    const { client, clock } = setup()
    const buyer = await createAccount(db)
    const phone = client()
    await phone.post('/login', { email: buyer.email!, password: TEST_PASSWORD })
    const laptop = client()
    await laptop.post('/login', { email: buyer.email!, password: TEST_PASSWORD })
    clock.advance(3 * 24 * 60 * MINUTE)
    expect((await phone.get('/account/sessions')).status).toBe(200)
    const sessions = await asSystem(db, (trx) => trx.selectFrom('sessions').select('id').where('user_id', '=', buyer.id)
      .where('revoked_at', 'is', null).orderBy('created_at', 'desc').execute())
    const revoke = await phone.post(`/account/sessions/${sessions[0]!.id}/revoke`, {}, { referer: 'http://localhost/account/sessions' })
    expect(revoke.headers.get('location')).toBe('/account/confirm-password?next=%2Faccount%2Fsessions')
    expect((await phone.post('/account/confirm-password', { password: 'wrong-password-1', next: '/account/sessions' })).status).toBe(401)
    const confirmed = await phone.post('/account/confirm-password', { password: TEST_PASSWORD, next: '/account/sessions' })
    expect(confirmed.headers.get('location')).toBe('/account/sessions')
  })
})

describe('sessions page', () => {
  it('lists the person’s sessions and revokes another device', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const phone = new TestClient(createTestApp(db).app, { 'user-agent': 'Mozilla/5.0 (Linux; Android 13) Chrome/120.0 Mobile' })
    await phone.post('/login', { email: person.email!, password: TEST_PASSWORD })
    const laptop = client()
    await laptop.post('/login', { email: person.email!, password: TEST_PASSWORD })
    const page = await (await laptop.get('/account/sessions')).text()
    expect(page).toContain('Chrome · Android')
    expect(page).toContain('This device')
    const otherId = /action="\/account\/sessions\/([0-9a-f-]+)\/revoke"/.exec(page)![1]!
    const res = await laptop.post(`/account/sessions/${otherId}/revoke`)
    expect(res.headers.get('location')).toBe('/account/sessions?notice=revoked')
    expect((await phone.get('/account')).status).toBe(303)
    expect((await laptop.get('/account')).status).toBe(200)
  })

  it('cannot revoke someone else’s session (404, nothing changed)', async () => {
    const { client } = setup()
    const mine = await createAccount(db)
    const theirs = await createAccount(db)
    const me = client()
    await me.post('/login', { email: mine.email!, password: TEST_PASSWORD })
    const them = client()
    await them.post('/login', { email: theirs.email!, password: TEST_PASSWORD })
    const theirSession = await asSystem(db, (trx) => trx.selectFrom('sessions').select('id').where('user_id', '=', theirs.id).executeTakeFirstOrThrow())
    expect((await me.post(`/account/sessions/${theirSession.id}/revoke`)).status).toBe(404)
    expect((await me.post('/account/sessions/not-a-uuid/revoke')).status).toBe(404)
    expect((await them.get('/account')).status).toBe(200)
  })
})

describe('password reset', () => {
  it('emails a single-use link that sets a new password and ends every other session', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const oldDevice = client()
    await oldDevice.post('/login', { email: person.email!, password: TEST_PASSWORD })
    const res = await client().post('/password/forgot', { email: person.email! })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('If an account exists for that email')
    const message = await lastMessageTo(db, person.email!)
    expect(message?.type).toBe('password_reset')
    const token = linkIn((message!.content as { body: string }).body, '/password/reset')

    const browser = client()
    const done = await browser.post('/password/reset', { token, password: 'a-brand-new-password' })
    expect(done.status).toBe(303)
    expect(browser.signedIn).toBe(true)
    expect((await oldDevice.get('/account')).status).toBe(303)
    expect((await client().post('/login', { email: person.email!, password: 'a-brand-new-password' })).status).toBe(303)
    expect((await client().post('/login', { email: person.email!, password: TEST_PASSWORD })).status).toBe(401)

    const reused = await client().post('/password/reset', { token, password: 'another-new-password' })
    expect(reused.status).toBe(400)
    expect(await reused.text()).toContain('expired or was already used')
  })

  it('also ends the scanner phones’ device tokens of the person', async () => {
    const { client, clock } = setup()
    const tenant = await createTenant(db)
    const scanner = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })
    const other = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })
    const device = await asSystem(db, (trx) => issueDeviceToken(trx, { tenantId: tenant.id, userId: scanner.id, deviceId: 'gate-phone-1', label: 'Gate A', now: clock.now() }))
    const kept = await asSystem(db, (trx) => issueDeviceToken(trx, { tenantId: tenant.id, userId: other.id, deviceId: 'gate-phone-2', label: 'Gate B', now: clock.now() }))
    expect(await asSystem(db, (trx) => findLiveDevice(trx, device.token, clock.now()))).toBeDefined()

    await client().post('/password/forgot', { email: scanner.email! })
    const token = linkIn(((await lastMessageTo(db, scanner.email!))!.content as { body: string }).body, '/password/reset')
    expect((await client().post('/password/reset', { token, password: 'a-brand-new-password' })).status).toBe(303)

    expect(await asSystem(db, (trx) => findLiveDevice(trx, device.token, clock.now()))).toBeUndefined()
    expect(await asSystem(db, (trx) => findLiveDevice(trx, kept.token, clock.now()))).toBeDefined()
  })

  it('answers the same for an unknown email, and sends nothing', async () => {
    const { client } = setup()
    const email = `${unique('ghost')}@example.test`
    const res = await client().post('/password/forgot', { email })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('If an account exists for that email')
    expect(await lastMessageTo(db, email)).toBeUndefined()
  })

  it('refuses a link older than 30 minutes, and a short or missing password', async () => {
    const { client, clock } = setup()
    const person = await createAccount(db)
    await client().post('/password/forgot', { email: person.email! })
    const token = linkIn(((await lastMessageTo(db, person.email!))!.content as { body: string }).body, '/password/reset')
    expect((await client().post('/password/reset', { token, password: 'short' })).status).toBe(422)
    expect((await client().post('/password/reset', { token: '', password: 'a-long-enough-one' })).status).toBe(422)
    clock.advance(31 * MINUTE)
    const late = await client().post('/password/reset', { token, password: 'a-long-enough-one' })
    expect(late.status).toBe(400)
    expect((await client().post('/login', { email: person.email!, password: TEST_PASSWORD })).status).toBe(303)
  })

  it('limits reset requests per account', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    for (let i = 0; i < 3; i++) expect((await client().post('/password/forgot', { email: person.email! })).status).toBe(200)
    const limited = await client().post('/password/forgot', { email: person.email! })
    expect(limited.status).toBe(429)
    expect(await limited.text()).toMatch(/Try again in \d+ minutes/)
  })
})
