/** What a new user meets: an invitation through registration, pending invitations, the phone on /account. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createTenant, lastMessageTo, linkIn, TEST_PASSWORD, unique } from '../support/fixtures.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

const client = () => new TestClient(createTestApp(db).app)

async function signedIn(account: { email: string | null }) {
  const browser = client()
  expect((await browser.post('/login', { email: account.email!, password: TEST_PASSWORD })).status).toBe(303)
  return browser
}

async function managerOfNewTenant() {
  const tenant = await createTenant(db)
  const account = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
  return { tenant, account, manager: await signedIn(account) }
}

const hrefOf = (html: string, text: string) =>
  new RegExp(`<a href="([^"]*)">${text}</a>`).exec(html)?.[1]?.replace(/&amp;/g, '&')

describe('a staff invitation for someone without an account', () => {
  it('keeps where they were going through "Create an account" and lands them in the invitation', async () => {
    const { manager } = await managerOfNewTenant()
    const email = `${unique('newcomer')}@example.test`
    await manager.post('/manage/staff/invite', { email, role: 'scanner' })
    const token = linkIn(((await lastMessageTo(db, email))!.content as { body: string }).body, '/invitations/accept')

    const newcomer = client()
    const toLogin = await newcomer.get(`/invitations/accept?token=${token}`)
    const loginPath = toLogin.headers.get('location')!
    expect(loginPath).toMatch(/^\/login\?next=/)
    const register = hrefOf(await (await newcomer.get(loginPath)).text(), 'New here\\? Create an account')
    expect(register).toBe(`/register?next=${encodeURIComponent(`/invitations/accept?token=${token}`)}`)
    const form = await (await newcomer.get(register!)).text()
    expect(form).toContain(`name="next" value="/invitations/accept?token=${token}"`)

    const registered = await newcomer.post('/register', {
      name: 'Otieno', email, password: 'a-long-password', next: `/invitations/accept?token=${token}`,
    })
    expect(registered.status).toBe(303)
    expect(registered.headers.get('location')).toBe(`/invitations/accept?token=${token}`)
    expect((await newcomer.get(registered.headers.get('location')!)).headers.get('location')).toBe('/start')
    expect((await newcomer.get('/start')).headers.get('location')).toBe('/scan')
  })

  it('goes to the account page after registering without a next, and never off-site with one', async () => {
    const plain = await client().post('/register', { name: 'Amani', email: `${unique('plain')}@example.test`, password: 'a-long-password' })
    expect(plain.headers.get('location')).toBe('/account?notice=verificationSent')
    const tricked = await client().post('/register', {
      name: 'Amani', email: `${unique('trick')}@example.test`, password: 'a-long-password', next: '/\t/evil.example',
    })
    expect(tricked.headers.get('location')).toBe('/account?notice=verificationSent')
  })
})

describe('pending invitations on /manage/staff', () => {
  it('lists each open invitation with its email, role, sent date and expiry, and withdraws one (audited)', async () => {
    const { manager, tenant, account: managerAccount } = await managerOfNewTenant()
    const email = `${unique('pending')}@example.test`
    await manager.post('/manage/staff/invite', { email, role: 'manager' })
    const page = await (await manager.get('/manage/staff')).text()
    expect(page).toContain('Invitations not accepted yet')
    const card = page.slice(page.indexOf('Invitations not accepted yet'))
    expect(card).toContain(email)
    expect(card).toContain('Manager')
    expect(card).toMatch(/Sent [^<]*\d/)
    expect(card).toMatch(/Expires [^<]*\d/)

    const token = linkIn(((await lastMessageTo(db, email))!.content as { body: string }).body, '/invitations/accept')
    const action = /action="(\/manage\/staff\/invitations\/[0-9a-f-]+\/withdraw)"/.exec(card)![1]!
    const withdrawn = await manager.post(action)
    expect(withdrawn.headers.get('location')).toBe('/manage/staff?notice=withdrawn')
    const after = await (await manager.get('/manage/staff?notice=withdrawn')).text()
    expect(after).toContain('The invitation was withdrawn')
    expect(after).not.toContain(email)
    expect((await manager.post(action)).status).toBe(404)
    const invitationId = action.split('/')[4]!
    const audited = await asSystem(db, (trx) => trx.selectFrom('audit_log').select(['action', 'tenant_id', 'actor_user_id', 'metadata'])
      .where('target_type', '=', 'invitation').where('target_id', '=', invitationId).execute())
    expect(audited).toEqual([{ action: 'invitation_withdrawn', tenant_id: tenant.id, actor_user_id: managerAccount.id, metadata: { role: 'manager' } }])

    const account = await createAccount(db)
    await asSystem(db, (trx) => trx.updateTable('users').set({ email }).where('id', '=', account.id).execute())
    const invitee = await signedIn({ email })
    expect((await invitee.get(`/invitations/accept?token=${token}`)).status).toBe(400)
  })

  it('shows and withdraws only the tenant’s own invitations', async () => {
    const a = await managerOfNewTenant()
    const b = await managerOfNewTenant()
    const email = `${unique('theirs')}@example.test`
    await a.manager.post('/manage/staff/invite', { email, role: 'scanner' })
    expect(await (await b.manager.get('/manage/staff')).text()).not.toContain(email)
    const invitation = await asSystem(db, (trx) => trx.selectFrom('one_time_tokens').select('id')
      .where('purpose', '=', 'staff_invitation').where('target', '=', email).executeTakeFirstOrThrow())
    expect((await b.manager.post(`/manage/staff/invitations/${invitation.id}/withdraw`)).status).toBe(404)
    expect((await b.manager.post('/manage/staff/invitations/not-a-uuid/withdraw')).status).toBe(404)
    const scanner = await signedIn(await createAccount(db, { tenantId: a.tenant.id, membership: 'scanner' }))
    expect((await scanner.post(`/manage/staff/invitations/${invitation.id}/withdraw`)).status).toBe(403)
    expect(await (await a.manager.get('/manage/staff')).text()).toContain(email)
  })
})

describe('the phone on /account', () => {
  it('shows the number on file in its field', async () => {
    const person = await createAccount(db)
    await asSystem(db, (trx) => trx.updateTable('users').set({ phone: '254712345678' }).where('id', '=', person.id).execute())
    const page = await (await signedIn(person)).get('/account')
    expect(await page.text()).toMatch(/<input id="f-phone" name="phone" type="tel" value="0712345678"/)
  })

  it('confirms on the page that the code was sent, and to which number', async () => {
    const browser = await signedIn(await createAccount(db))
    const sent = await browser.post('/account/phone', { phone: '0722 000 111' })
    expect(sent.status).toBe(200)
    const html = await sent.text()
    expect(html).toContain('We sent a 6-digit code on WhatsApp to 0722 ••• 111')
    expect(html).toContain('action="/account/phone/verify"')
    const sw = await browser.post('/account/phone', { phone: '0722 000 111' }, { 'accept-language': 'sw' })
    expect(await sw.text()).toContain('Tumetuma msimbo wa tarakimu 6 kwa WhatsApp kwenda 0722 ••• 111')
  })
})

describe('resending the email confirmation', () => {
  it('sends at most 3 an hour per account: the next is refused with 429 and a clear message, sending nothing', async () => {
    const clock = new TestClock()
    const { app } = createTestApp(db, { now: clock.now })
    const person = await createAccount(db)
    await asSystem(db, (trx) => trx.updateTable('users').set({ email_verified_at: null }).where('id', '=', person.id).execute())
    const browser = new TestClient(app)
    expect((await browser.post('/login', { email: person.email!, password: TEST_PASSWORD })).status).toBe(303)
    const confirmations = async () => (await asSystem(db, (trx) => trx.selectFrom('notifications').select('content')
      .where('type', '=', 'email_verification').execute())).filter((row) => (row.content as { to?: string }).to === person.email).length

    for (let i = 0; i < 3; i++) {
      const sent = await browser.post('/account/verify-email')
      expect(sent.status, `resend ${i + 1}`).toBe(303)
      expect(sent.headers.get('location')).toBe('/account?notice=verificationSent')
    }
    expect(await confirmations()).toBe(3)
    const refused = await browser.post('/account/verify-email')
    expect(refused.status).toBe(429)
    const page = await refused.text()
    expect(page).toContain('Too many attempts. Try again in')
    expect(page).toContain('action="/account/verify-email"')
    const sw = await browser.post('/account/verify-email', {}, { 'accept-language': 'sw' })
    expect(sw.status).toBe(429)
    expect(await sw.text()).toContain('Majaribio mengi mno. Jaribu tena baada ya dakika')
    expect(await confirmations()).toBe(3)

    // the limit is the account's: another account still gets its email
    const other = await createAccount(db)
    await asSystem(db, (trx) => trx.updateTable('users').set({ email_verified_at: null }).where('id', '=', other.id).execute())
    const otherBrowser = new TestClient(app)
    await otherBrowser.post('/login', { email: other.email!, password: TEST_PASSWORD })
    expect((await otherBrowser.post('/account/verify-email')).status).toBe(303)

    clock.advance(61 * MINUTE)
    expect((await browser.post('/account/verify-email')).status).toBe(303)
    expect(await confirmations()).toBe(4)
  })
})
