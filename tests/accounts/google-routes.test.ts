import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { googleOAuthConfigFromEnv } from '../../src/accounts/google-oauth.ts'
import { createApp } from '../../src/app.ts'
import { sharedDatabase, type Database } from '../../src/db/database.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, TEST_PASSWORD, unique } from '../support/fixtures.ts'
import * as googleStandin from '../support/google-standin.ts'

let db: Database
let standin: googleStandin.GoogleStandin
let browser: () => TestClient

beforeAll(async () => {
  db = await openTestDatabase()
  standin = await googleStandin.start()
  const app = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), google: googleOAuthConfigFromEnv(standin.env), log: () => {} })
  browser = () => new TestClient(app)
})
afterAll(async () => {
  await standin.close()
  await db.destroy()
})

/** Goes to Google (the stand-in), which sends the browser straight back with a code. */
async function throughGoogle(client: TestClient, tamperState = false) {
  const start = await client.get('/auth/google')
  expect(start.status).toBe(302)
  const authorize = new URL(start.headers.get('location')!)
  expect(authorize.origin + authorize.pathname).toBe(standin.authorizeUrl)
  const consent = await fetch(authorize, { redirect: 'manual' })
  const callback = new URL(consent.headers.get('location')!)
  if (tamperState) callback.searchParams.set('state', 'forged')
  return client.get(callback.pathname + callback.search)
}

describe('continue with Google', () => {
  it('creates an account for a new Google user with a verified email and signs them in', async () => {
    const email = `${unique('g')}@gmail.com`
    standin.setNextProfile({ sub: unique('sub'), email, email_verified: true, name: 'Zawadi' })
    const client = browser()
    const res = await throughGoogle(client)
    expect(res.headers.get('location')).toBe('/start')
    expect(client.signedIn).toBe(true)
    const user = await asSystem(db, (trx) => trx.selectFrom('users').select(['name', 'email_verified_at', 'password_hash'])
      .where('email', '=', email).executeTakeFirstOrThrow())
    expect(user.name).toBe('Zawadi')
    expect(user.email_verified_at).not.toBeNull()
    expect(user.password_hash).toBeNull()
  })

  it('links a gmail.com account to the existing account with that address, and only that one', async () => {
    const existing = await createAccount(db)
    const gmail = `${unique('linked')}@gmail.com`
    await asSystem(db, (trx) => trx.updateTable('users').set({ email: gmail }).where('id', '=', existing.id).execute())
    const sub = unique('sub')
    standin.setNextProfile({ sub, email: gmail, email_verified: true })
    await throughGoogle(browser())
    const linked = await asSystem(db, (trx) => trx.selectFrom('users').select('google_sub').where('id', '=', existing.id).executeTakeFirstOrThrow())
    expect(linked.google_sub).toBe(sub)

    const company = await createAccount(db)
    standin.setNextProfile({ sub: unique('sub'), email: company.email!, email_verified: true })
    const client = browser()
    const refused = await throughGoogle(client)
    expect(refused.status).toBe(409)
    expect(client.signedIn).toBe(false)
  })

  it('takes back a gmail address someone registered first: their password and sessions end on linking', async () => {
    const gmail = `${unique('victim')}@gmail.com`
    const squatter = browser()
    expect((await squatter.post('/register', { name: 'Not the owner', email: gmail, password: 'the-squatters-password' })).status).toBe(303)
    expect((await squatter.get('/account')).status).toBe(200)

    standin.setNextProfile({ sub: unique('sub'), email: gmail, email_verified: true })
    const owner = browser()
    expect((await throughGoogle(owner)).headers.get('location')).toBe('/start')
    expect(owner.signedIn).toBe(true)
    expect((await owner.get('/account')).status).toBe(200)
    expect((await squatter.get('/account')).status).toBe(303)
    const refused = await browser().post('/login', { email: gmail, password: 'the-squatters-password' })
    expect(refused.status).toBe(401)
    const user = await asSystem(db, (trx) => trx.selectFrom('users').select(['password_hash', 'email_verified_at'])
      .where('email', '=', gmail).executeTakeFirstOrThrow())
    expect(user.password_hash).toBeNull()
    expect(user.email_verified_at).not.toBeNull()
  })

  it('keeps the password of an account whose address was confirmed, but ends its other sessions on linking', async () => {
    const existing = await createAccount(db) // its address is confirmed
    const gmail = `${unique('confirmed')}@gmail.com`
    await asSystem(db, (trx) => trx.updateTable('users').set({ email: gmail }).where('id', '=', existing.id).execute())
    const laptop = browser()
    await laptop.post('/login', { email: gmail, password: TEST_PASSWORD })
    expect(laptop.signedIn).toBe(true)
    standin.setNextProfile({ sub: unique('sub'), email: gmail, email_verified: true })
    const phone = browser()
    await throughGoogle(phone)
    expect((await phone.get('/account')).status).toBe(200)
    expect((await laptop.get('/account')).status).toBe(303)
    expect((await browser().post('/login', { email: gmail, password: TEST_PASSWORD })).status).toBe(303)
  })

  it('refuses an unverified email, a forged state, and a cancelled consent without signing in', async () => {
    standin.setNextProfile({ sub: unique('sub'), email: `${unique('u')}@gmail.com`, email_verified: false })
    const unverified = browser()
    expect((await throughGoogle(unverified)).status).toBe(400)
    expect(unverified.signedIn).toBe(false)

    standin.setNextProfile({ sub: unique('sub'), email: `${unique('s')}@gmail.com`, email_verified: true })
    const forged = browser()
    const res = await throughGoogle(forged, true)
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Signing in with Google did not work')
    expect(forged.signedIn).toBe(false)

    expect((await browser().get('/auth/google/callback?code=abc&state=abc')).status).toBe(400)
  })

  it('is not there when Google is not configured', async () => {
    const plain = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), log: () => {} })
    expect((await plain.request('/auth/google')).status).toBe(404)
    expect(await (await plain.request('/login')).text()).not.toContain('Continue with Google')
  })
})
