/** Where people are sent after signing in or confirming their password: this site only, never a 500. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { safeNextPath } from '../../src/accounts/guards.ts'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, TEST_PASSWORD } from '../support/fixtures.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

/** Paths whose dot segments (typed or percent-encoded) normalise to `//evil.example`. */
const DOT_SEGMENT_TRICKS = [
  '/.//evil.example', '/..//evil.example', '/a/..//evil.example', '/%2e//evil.example', '/%2E//evil.example',
  '/%2e%2e//evil.example/path?x=1', '/a/b/../..//evil.example', '/././/evil.example', '/.%2e//evil.example',
  '/a/%2e%2e//evil.example', '/..%2f/evil.example', '/.%2F/evil.example',
]

/** Each would lead a browser to another site (or break the Location header) if passed through. */
const TRICKS = [
  'https://evil.example/', '//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example',
  '/\r/evil.example', '/\r\n/evil.example', '/\\\\evil.example', '/%09/evil.example', '/%0a/evil.example',
  '/%0D%0A/evil.example', '/%2F/evil.example', '/%2f%2fevil.example', '/%5Cevil.example', '/%5c%5cevil.example',
  '/\u0000/evil.example', '/\u007f/evil.example', '/%E0%A4%A', 'evil.example', `/${'a'.repeat(600)}`,
  // dot segments: each resolves to a path starting with `//`, which a browser reads as another host
  ...DOT_SEGMENT_TRICKS,
]

describe('safeNextPath', () => {
  it.each(TRICKS)('refuses %j', (next) => {
    expect(safeNextPath(next, '/fallback')).toBe('/fallback')
  })

  it('keeps a same-site path with its query', () => {
    expect(safeNextPath('/account/sessions', '/x')).toBe('/account/sessions')
    expect(safeNextPath('/events?city=Nairobi%20West&page=2', '/x')).toBe('/events?city=Nairobi%20West&page=2')
    expect(safeNextPath('/manage/events/../staff', '/x')).toBe('/manage/staff')
    expect(safeNextPath('/manage/./%2e%2e/account/./sessions?x=1#top', '/x')).toBe('/account/sessions?x=1#top')
    expect(safeNextPath('/..', '/x')).toBe('/')
    expect(safeNextPath(undefined, '/x')).toBe('/x')
  })
})

function setup() {
  const clock = new TestClock()
  const { app } = createTestApp(db, { now: clock.now })
  return { app, clock }
}

describe('after signing in', () => {
  it.each(TRICKS)('lands on /start, not elsewhere and never a 500, for next=%j', async (next) => {
    const { app } = setup()
    const person = await createAccount(db)
    const res = await new TestClient(app).post('/login', { email: person.email!, password: TEST_PASSWORD, next })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/start')
  })

  it.each(['/.//evil.example', '/%2e%2e//evil.example/path?x=1', '/\t/evil.example'])(
    'keeps only the safe next in the form after a failed sign-in with next=%j', async (next) => {
      const { app } = setup()
      const person = await createAccount(db)
      const res = await new TestClient(app).post('/login', { email: person.email!, password: 'not-the-password', next })
      expect(res.status).toBe(401)
      const page = await res.text()
      expect(page).toContain('action="/login"')
      expect(page).not.toContain('evil.example')
      expect(page).not.toContain('name="next"')
    })

  it('keeps the normalised next in the form after a failed sign-in', async () => {
    const { app } = setup()
    const person = await createAccount(db)
    const res = await new TestClient(app).post('/login', { email: person.email!, password: 'not-the-password', next: '/account/./x/../sessions' })
    expect(res.status).toBe(401)
    expect(await res.text()).toContain('name="next" value="/account/sessions"')
    const invalid = await new TestClient(app).post('/login', { email: 'nope', password: '', next: '/.//evil.example' })
    expect(invalid.status).toBe(422)
    expect(await invalid.text()).not.toContain('evil.example')
  })

  it('keeps only the safe next in the form after a failed registration', async () => {
    const { app } = setup()
    const res = await new TestClient(app).post('/register', { name: '', email: 'nope', password: 'short', next: '/a/..//evil.example' })
    expect(res.status).toBe(422)
    const page = await res.text()
    expect(page).toContain('action="/register"')
    expect(page).not.toContain('evil.example')
  })

  it('does not carry a tab trick from the link into the sign-in form', async () => {
    const { app } = setup()
    const page = await (await new TestClient(app).get('/login?next=/%09/evil.example')).text()
    expect(page).not.toContain('evil.example')
    const kept = await (await new TestClient(app).get('/login?next=%2Faccount%2Fsessions')).text()
    expect(kept).toContain('name="next" value="/account/sessions"')
  })
})

describe('after confirming the password', () => {
  async function stale() {
    const { app, clock } = setup()
    const buyer = await createAccount(db)
    const browser = new TestClient(app)
    await browser.post('/login', { email: buyer.email!, password: TEST_PASSWORD })
    clock.advance(20 * MINUTE)
    const session = await asSystem(db, (trx) => trx.selectFrom('sessions').select('id').where('user_id', '=', buyer.id).executeTakeFirstOrThrow())
    return { browser, sessionId: session.id }
  }

  it.each(['/\t/evil.example', '/\n/evil.example', '/\\evil.example', '/%2F/evil.example', '//evil.example', ...DOT_SEGMENT_TRICKS])(
    'goes to /account for next=%j', async (next) => {
      const { browser } = await stale()
      const page = await (await browser.get(`/account/confirm-password?next=${encodeURIComponent(next)}`)).text()
      expect(page).toContain('name="next" value="/account"')
      expect(page).not.toContain('evil.example')
      const wrong = await browser.post('/account/confirm-password', { password: 'not-the-password', next })
      expect(wrong.status).toBe(401)
      const again = await wrong.text()
      expect(again).toContain('name="next" value="/account"')
      expect(again).not.toContain('evil.example')
      const res = await browser.post('/account/confirm-password', { password: TEST_PASSWORD, next })
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/account')
    })

  it('falls back to /account when a session revoke comes with a Referer that is no URL', async () => {
    const { browser, sessionId } = await stale()
    for (const referer of ['http://[', 'not a url', 'http://localhost/\t/evil.example']) {
      const res = await browser.post(`/account/sessions/${sessionId}/revoke`, {}, { referer })
      expect(res.status, referer).toBe(303)
      expect(res.headers.get('location'), referer).toBe('/account/confirm-password?next=%2Faccount')
    }
    const fine = await browser.post(`/account/sessions/${sessionId}/revoke`, {}, { referer: 'http://localhost/account/sessions' })
    expect(fine.headers.get('location')).toBe('/account/confirm-password?next=%2Faccount%2Fsessions')
  })
})
