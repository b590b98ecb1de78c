import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { applyForm } from '../../src/accounts/form-schemas.ts'
import { createGuest } from '../../src/accounts/verification-service.ts'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import {
  asSystem, createAccount, createEvent, createTenant, lastMessageTo, linkIn, TEST_PASSWORD, unique,
} from '../support/fixtures.ts'

let db: Database
let app: ReturnType<typeof createTestApp>['app']
let admin: TestClient

async function signIn(account: { email: string | null }) {
  const client = new TestClient(app)
  const res = await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`)
  return client
}

const auditActions = (tenantId: string) =>
  asSystem(db, async (trx) => (await trx.selectFrom('audit_log').select('action').where('tenant_id', '=', tenantId).execute()).map((r) => r.action))

beforeAll(async () => {
  db = await openTestDatabase()
  ;({ app } = createTestApp(db))
  admin = await signIn(await createAccount(db, { role: 'super_admin' }))
})
afterAll(() => db.destroy())

describe('applying to sell tickets', () => {
  it('creates a pending organiser with the applicant as manager; the admin approves it', async () => {
    const person = await createAccount(db)
    const browser = await signIn(person)
    const name = unique('Mombasa Sounds')
    const res = await browser.post('/manage/apply', { name, contactPhone: '0722 000 111' })
    expect(res.headers.get('location')).toBe('/manage')
    const manage = await (await browser.get('/manage')).text()
    expect(manage).toContain('waiting for approval')
    const tenant = await asSystem(db, (trx) => trx.selectFrom('tenants').selectAll().where('name', '=', name).executeTakeFirstOrThrow())
    expect(tenant).toMatchObject({ status: 'pending', contact_phone: '254722000111', applicant_user_id: person.id })
    const session = await asSystem(db, (trx) => trx.selectFrom('sessions').select(['kind', 'idle_timeout_seconds'])
      .where('user_id', '=', person.id).executeTakeFirstOrThrow())
    expect(session).toEqual({ kind: 'staff', idle_timeout_seconds: 1800 })

    expect(await (await admin.get('/admin')).text()).toContain(name)
    expect((await admin.post(`/admin/tenants/${tenant.id}/approve`)).headers.get('location')).toBe('/admin?notice=updated')
    expect(await (await browser.get('/manage')).text()).not.toContain('waiting for approval')
    expect(await auditActions(tenant.id)).toEqual(expect.arrayContaining(['tenant_applied', 'tenant_approved']))
  })

  it('refuses bad applications with 422 and a second one with 409, creating nothing', async () => {
    const applicant = await createAccount(db)
    const browser = await signIn(applicant)
    // this applicant's tenants only: on Postgres other test files create tenants at the same time
    const applications = () => asSystem(db, async (trx) =>
      (await trx.selectFrom('tenants').select('id').where('applicant_user_id', '=', applicant.id).execute()).length)
    for (const form of [{ name: '', contactPhone: '' }, { name: 'Ok', contactPhone: '999' }, { name: 'x'.repeat(121), contactPhone: '0712345678' }]) {
      expect((await browser.post('/manage/apply', form)).status).toBe(422)
    }
    expect(await applications()).toBe(0)
    await browser.post('/manage/apply', { name: unique('First'), contactPhone: '0712345678' })
    const again = await browser.post('/manage/apply', { name: unique('Second'), contactPhone: '0712345678' })
    expect(again.status).toBe(409)
    expect(await applications()).toBe(1)
    expect(await again.text()).toContain('already work with an organiser')
  })
})

describe('organiser names', () => {
  /** Each would put a web address or something an email client turns into a link into invitation emails. */
  const LINKY_NAMES = [
    'M-Pesa Security: confirm your PIN at https://evil.example/mpesa', 'hxxp://evil.example', 'Visit WWW.evil', 'evil.example/mpesa',
    'mpesa-help.co.ke', 'Safaricom support at safaricom-care.com', 'Pwani Events (pwani.events)', 'evil\uFF0Eexample',
    'evil\u200B.example/pin', 'ftp://files', 'help@mpesa-care.ke',
  ]

  it.each(LINKY_NAMES)('refuses %j with 422 and a clear message, creating nothing', async (name) => {
    const applicant = await createAccount(db)
    const browser = await signIn(applicant)
    const res = await browser.post('/manage/apply', { name, contactPhone: '0712345678' })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('An organiser name cannot contain a web address or a link')
    const created = await asSystem(db, (trx) => trx.selectFrom('tenants').select('id').where('applicant_user_id', '=', applicant.id).execute())
    expect(created).toEqual([])
  })

  it('says so in Swahili too', async () => {
    const browser = await signIn(await createAccount(db))
    const res = await browser.post('/manage/apply', { name: 'www.evil.example', contactPhone: '0712345678' }, { 'accept-language': 'sw' })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Jina la mwandaaji haliwezi kuwa na anwani ya tovuti wala kiungo')
  })

  it.each(['Nairobi Live Ltd.', 'St. Mary’s Choir', 'Mr. & Mrs. Events', 'Pwani Events 2026', 'J.K. Sounds', 'Kilifi 4.0 Festival', 'Rock/Pop Nights'])(
    'keeps the ordinary name %j', (name) => {
      expect(applyForm.safeParse({ name, contactPhone: '0712345678' }).success).toBe(true)
    })
})

describe('suspension and commission', () => {
  it('stops a suspended organiser’s events from showing and selling; approving brings them back', async () => {
    const tenant = await createTenant(db)
    // starting within the hour: among the soonest events the home page lists, even on a shared database
    const { event } = await createEvent(db, tenant.id, { title: unique('Suspendable Show'), startsAt: new Date(Date.now() + 3600_000) })
    expect(await (await app.request('/')).text()).toContain(event.title)
    await admin.post(`/admin/tenants/${tenant.id}/suspend`)
    expect(await (await app.request('/')).text()).not.toContain(event.title)
    expect((await app.request(`/events/${event.slug}`)).status).toBe(404)
    await admin.post(`/admin/tenants/${tenant.id}/approve`)
    expect(await (await app.request('/')).text()).toContain(event.title)
    expect(await auditActions(tenant.id)).toEqual(expect.arrayContaining(['tenant_suspended', 'tenant_approved']))
  })

  it('sets the commission in percent, stored as basis points, and refuses bad values', async () => {
    const tenant = await createTenant(db)
    const rate = () => asSystem(db, async (trx) =>
      (await trx.selectFrom('tenants').select('commission_rate_bps').where('id', '=', tenant.id).executeTakeFirstOrThrow()).commission_rate_bps)
    expect((await admin.post(`/admin/tenants/${tenant.id}/commission`, { percent: '7.5' })).status).toBe(303)
    expect(await rate()).toBe(750)
    for (const percent of ['', '-1', '101', 'abc', '1.234', '5%']) {
      const res = await admin.post(`/admin/tenants/${tenant.id}/commission`, { percent })
      expect(res.status, percent).toBe(422)
      expect(await res.text()).toContain('percentage between 0 and 100')
    }
    expect(await rate()).toBe(750)
    expect(await auditActions(tenant.id)).toContain('commission_changed')
    expect((await admin.post('/admin/tenants/00000000-0000-4000-8000-000000000000/commission', { percent: '5' })).status).toBe(404)
    expect((await admin.post('/admin/tenants/nope/approve')).status).toBe(404)
  })
})

describe('staff', () => {
  it('invites a scanner by email; the invitee accepts signed in with that email only, once', async () => {
    const tenant = await createTenant(db)
    const manager = await signIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    const invitee = await createAccount(db)
    expect((await manager.post('/manage/staff/invite', { email: invitee.email!, role: 'scanner' })).headers.get('location'))
      .toBe('/manage/staff?notice=invited')
    const token = linkIn(((await lastMessageTo(db, invitee.email!))!.content as { body: string }).body, '/invitations/accept')

    const stranger = await signIn(await createAccount(db))
    const wrong = await stranger.get(`/invitations/accept?token=${token}`)
    expect(wrong.status).toBe(403)
    expect(await wrong.text()).toContain('sent to another email address')

    const browser = await signIn(invitee)
    expect((await browser.get(`/invitations/accept?token=${token}`)).headers.get('location')).toBe('/start')
    expect((await browser.get('/start')).headers.get('location')).toBe('/scan')
    expect((await browser.get(`/invitations/accept?token=${token}`)).status).toBe(400)
    expect(await (await manager.get('/manage/staff')).text()).toContain(invitee.email!)
  })

  it('refuses invitations from an organiser waiting for approval (403, clear message, no email); approved, it invites', async () => {
    const tenant = await createTenant(db, { status: 'pending' })
    const manager = await signIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    const email = `${unique('early')}@example.test`
    const refused = await manager.post('/manage/staff/invite', { email, role: 'scanner' })
    expect(refused.status).toBe(403)
    const page = await refused.text()
    expect(page).toContain('Your organiser account is waiting for approval. You can invite managers and scanners once a platform admin approves you.')
    expect(page).toContain('action="/manage/staff/invite"')
    const sw = await manager.post('/manage/staff/invite', { email, role: 'scanner' }, { 'accept-language': 'sw' })
    expect(sw.status).toBe(403)
    expect(await sw.text()).toContain('Akaunti yako ya mwandaaji inasubiri kuidhinishwa')
    expect(await lastMessageTo(db, email)).toBeUndefined()
    const invitations = () => asSystem(db, (trx) => trx.selectFrom('one_time_tokens').select('id')
      .where('purpose', '=', 'staff_invitation').where('for_tenant_id', '=', tenant.id).execute())
    expect(await invitations()).toEqual([])
    expect(await auditActions(tenant.id)).not.toContain('staff_invited')

    await admin.post(`/admin/tenants/${tenant.id}/approve`)
    expect((await manager.post('/manage/staff/invite', { email, role: 'scanner' })).status).toBe(303)
    expect(await lastMessageTo(db, email)).toBeDefined()
    expect(await invitations()).toHaveLength(1)
  })

  it('refuses invitations from a suspended organiser', async () => {
    const tenant = await createTenant(db, { status: 'suspended' })
    const manager = await signIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    const email = `${unique('suspended')}@example.test`
    const refused = await manager.post('/manage/staff/invite', { email, role: 'manager' })
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('This organiser is suspended')
    expect(await lastMessageTo(db, email)).toBeUndefined()
  })

  it('sends at most 30 invitations an hour per organiser: the next is refused with 429 and sends nothing', async () => {
    const clock = new TestClock()
    const { app: clocked } = createTestApp(db, { now: clock.now })
    const tenant = await createTenant(db)
    const managerAccount = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    const signInClocked = async () => {
      const browser = new TestClient(clocked)
      expect((await browser.post('/login', { email: managerAccount.email!, password: TEST_PASSWORD })).status).toBe(303)
      return browser
    }
    const manager = await signInClocked()
    const sent = (to: string) => manager.post('/manage/staff/invite', { email: to, role: 'scanner' })
    for (let i = 0; i < 30; i++) {
      expect((await sent(`${unique(`bulk${i}`)}@example.test`)).status, `invitation ${i + 1}`).toBe(303)
    }
    const extra = `${unique('extra')}@example.test`
    const refused = await sent(extra)
    expect(refused.status).toBe(429)
    expect(await refused.text()).toContain('Too many attempts. Try again in')
    expect(await lastMessageTo(db, extra)).toBeUndefined()
    const open = await asSystem(db, (trx) => trx.selectFrom('one_time_tokens').select('id')
      .where('purpose', '=', 'staff_invitation').where('for_tenant_id', '=', tenant.id).execute())
    expect(open).toHaveLength(30)

    // another organiser is not held back by this one
    const other = await createTenant(db)
    const otherAccount = await createAccount(db, { tenantId: other.id, membership: 'manager' })
    const otherManager = new TestClient(clocked)
    await otherManager.post('/login', { email: otherAccount.email!, password: TEST_PASSWORD })
    expect((await otherManager.post('/manage/staff/invite', { email: `${unique('other')}@example.test`, role: 'scanner' })).status).toBe(303)

    clock.advance(61 * MINUTE)
    const later = await signInClocked()
    expect((await later.post('/manage/staff/invite', { email: extra, role: 'scanner' })).status).toBe(303)
    expect(await lastMessageTo(db, extra)).toBeDefined()
  })

  it('refuses bad invitations with 422', async () => {
    const tenant = await createTenant(db)
    const manager = await signIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    expect((await manager.post('/manage/staff/invite', { email: 'nope', role: 'scanner' })).status).toBe(422)
    expect((await manager.post('/manage/staff/invite', { email: 'a@b.co', role: 'owner' })).status).toBe(422)
  })

  it('assigns scanners to the tenant’s own events only; a scanner sees only those', async () => {
    const tenant = await createTenant(db)
    const other = await createTenant(db)
    const mine = await createEvent(db, tenant.id, { title: unique('Gate A Gig') })
    const notAssigned = await createEvent(db, tenant.id, { title: unique('Other Gig') })
    const foreign = await createEvent(db, other.id)
    const manager = await signIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    const scannerAccount = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })

    const refused = await manager.post(`/manage/staff/${scannerAccount.id}/events`, { eventIds: [mine.event.id, foreign.event.id] })
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('Choose events of this organiser only.')
    expect((await manager.post(`/manage/staff/${scannerAccount.id}/events`, { eventIds: 'not-a-uuid' })).status).toBe(422)
    expect((await manager.post(`/manage/staff/${scannerAccount.id}/events`, { eventIds: mine.event.id })).status).toBe(303)

    const scanner = await signIn(scannerAccount)
    const page = await (await scanner.get('/scan')).text()
    expect(page).toContain(mine.event.title)
    expect(page).not.toContain(notAssigned.event.title)
    expect((await scanner.get(`/scan/events/${notAssigned.event.id}`)).status).toBe(404)
    expect((await scanner.get(`/scan/events/${foreign.event.id}`)).status).toBe(404)
    expect(await auditActions(tenant.id)).toContain('scanner_events_assigned')
  })

  it('refuses to assign scanners to a completed or cancelled event, and keeps an assignment made before', async () => {
    const tenant = await createTenant(db)
    const open = await createEvent(db, tenant.id)
    const done = await createEvent(db, tenant.id, { status: 'completed' })
    const cancelled = await createEvent(db, tenant.id, { status: 'cancelled' })
    const manager = await signIn(await createAccount(db, { tenantId: tenant.id, membership: 'manager' }))
    const scannerAccount = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })
    const assigned = () => asSystem(db, (trx) => trx.selectFrom('scanner_assignments').select('event_id')
      .where('user_id', '=', scannerAccount.id).orderBy('event_id').execute()).then((rows) => rows.map((row) => row.event_id))
    for (const closed of [done, cancelled]) {
      const res = await manager.post(`/manage/staff/${scannerAccount.id}/events`, { eventIds: [open.event.id, closed.event.id] })
      expect(res.status).toBe(422)
      expect(await res.text()).toContain('Scanners cannot be assigned to an event that is finished or cancelled.')
      expect(await assigned()).toEqual([])
    }
    expect((await manager.post(`/manage/staff/${scannerAccount.id}/events`, { eventIds: open.event.id })).status).toBe(303)
    // the event ends while the scanner is on it: saving the same choice again still works
    await asSystem(db, (trx) => trx.updateTable('events').set({ status: 'completed' }).where('id', '=', open.event.id).execute())
    expect((await manager.post(`/manage/staff/${scannerAccount.id}/events`, { eventIds: open.event.id })).status).toBe(303)
    expect(await assigned()).toEqual([open.event.id])
  })

  it('removes staff, but never the manager themself', async () => {
    const tenant = await createTenant(db)
    const managerAccount = await createAccount(db, { tenantId: tenant.id, membership: 'manager' })
    const manager = await signIn(managerAccount)
    const scannerAccount = await createAccount(db, { tenantId: tenant.id, membership: 'scanner' })
    const scanner = await signIn(scannerAccount)
    expect((await manager.post(`/manage/staff/${managerAccount.id}/remove`)).status).toBe(422)
    expect((await manager.post(`/manage/staff/${scannerAccount.id}/remove`)).status).toBe(303)
    expect((await scanner.get('/scan')).status).toBe(403)
    expect((await manager.post(`/manage/staff/${scannerAccount.id}/remove`)).status).toBe(404)
  })
})

describe('claiming guest tickets', () => {
  async function guestWithTicket(contact: { phone: string; email?: string }) {
    const tenant = await createTenant(db)
    const { event, ticketTypes } = await createEvent(db, tenant.id)
    return asSystem(db, async (trx) => {
      const guest = await createGuest(trx, contact)
      const ticket = await trx.insertInto('tickets').values({
        tenant_id: tenant.id, event_id: event.id, ticket_type_id: ticketTypes[0]!.id, user_id: guest.id,
        original_user_id: guest.id, price_minor: 150_000, status: 'active',
      }).returning('id').executeTakeFirstOrThrow()
      return { guest, ticket }
    })
  }
  const ownerOf = (ticketId: string) =>
    asSystem(db, async (trx) => (await trx.selectFrom('tickets').select('user_id').where('id', '=', ticketId).executeTakeFirstOrThrow()).user_id)

  it('moves a guest’s tickets to a new account once its email is confirmed', async () => {
    const email = `${unique('guest')}@example.test`
    const { ticket } = await guestWithTicket({ phone: '254711000001', email })
    const browser = new TestClient(app)
    await browser.post('/register', { name: 'Neema', email, password: 'a-long-password' })
    const user = await asSystem(db, (trx) => trx.selectFrom('users').select('id').where('email', '=', email)
      .where('is_guest', '=', false).executeTakeFirstOrThrow())
    expect(await ownerOf(ticket.id)).not.toBe(user.id) // not before confirming
    const token = linkIn(((await lastMessageTo(db, email))!.content as { body: string }).body, '/account/verify-email')
    const res = await browser.get(`/account/verify-email?token=${token}`)
    expect(res.headers.get('location')).toBe('/account?notice=emailConfirmed&claimed=1')
    expect(await ownerOf(ticket.id)).toBe(user.id)
    expect(await (await browser.get(res.headers.get('location')!)).text()).toContain('1 guest tickets were added')
    expect((await browser.get(`/account/verify-email?token=${token}`)).status).toBe(400)
  })

  it('moves a guest’s tickets once the account confirms the same phone by WhatsApp code', async () => {
    const phone = `2547${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`
    const { ticket } = await guestWithTicket({ phone })
    const account = await createAccount(db)
    const browser = await signIn(account)
    const sent = await browser.post('/account/phone', { phone: `0${phone.slice(3)}` })
    expect(sent.status).toBe(200)
    expect(await sent.text()).toContain('name="code"')
    const message = await lastMessageTo(db, phone)
    expect(message?.channel).toBe('whatsapp')
    const code = /\b(\d{6})\b/.exec((message!.content as { body: string }).body)![1]!
    const wrong = code === '000000' ? '111111' : '000000'
    expect((await browser.post('/account/phone/verify', { code: wrong })).status).toBe(400)
    expect((await browser.post('/account/phone/verify', { code: 'abc' })).status).toBe(422)
    expect(await ownerOf(ticket.id)).not.toBe(account.id)
    const res = await browser.post('/account/phone/verify', { code })
    expect(res.headers.get('location')).toBe('/account?notice=phoneVerified&claimed=1')
    expect(await ownerOf(ticket.id)).toBe(account.id)
  })

  it('refuses a phone that is not Kenyan', async () => {
    const browser = await signIn(await createAccount(db))
    const res = await browser.post('/account/phone', { phone: '+44 20 7946 0958' })
    expect(res.status).toBe(422)
    expect(await res.text()).toContain('Kenyan phone number')
  })
})
