/** Password-reset and email-confirmation links: only the newest works, and using one voids the others. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../../src/accounts/one-time-tokens.ts'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, lastMessageTo, linkIn, TEST_PASSWORD, unique } from '../support/fixtures.ts'

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())

const client = () => new TestClient(createTestApp(db).app)
const linkTo = async (email: string, path: string) => linkIn(((await lastMessageTo(db, email))!.content as { body: string }).body, path)

/**
 * A second live reset link for the person, as two requests racing each other would leave: issued as a
 * link (not bound to the person), then marked as theirs as a reset link is stored.
 */
function anotherResetLink(user: { id: string; email: string | null }) {
  return asSystem(db, async (trx) => {
    const secret = await issueToken(trx, {
      purpose: 'password_reset', userId: null, target: user.email!, ttlMs: 30 * MINUTE, now: new Date(), metadata: { userId: user.id },
    })
    await trx.updateTable('one_time_tokens').set({ user_id: user.id })
      .where('purpose', '=', 'password_reset').where('target', '=', user.email!).where('user_id', 'is', null).execute()
    return secret
  })
}

describe('password reset links', () => {
  it('stops working once a newer one is requested', async () => {
    const person = await createAccount(db)
    await client().post('/password/forgot', { email: person.email! })
    const older = await linkTo(person.email!, '/password/reset')
    await client().post('/password/forgot', { email: person.email! })
    const newer = await linkTo(person.email!, '/password/reset')
    expect(newer).not.toBe(older)
    const refused = await client().post('/password/reset', { token: older, password: 'the-attackers-choice' })
    expect(refused.status).toBe(400)
    expect(await refused.text()).toContain('expired or was already used')
    expect((await client().post('/password/reset', { token: newer, password: 'my-own-new-password' })).status).toBe(303)
  })

  it('using one voids every other live link of that person', async () => {
    const person = await createAccount(db)
    await client().post('/password/forgot', { email: person.email! })
    const mailed = await linkTo(person.email!, '/password/reset')
    const other = await anotherResetLink(person)
    expect((await client().post('/password/reset', { token: mailed, password: 'my-own-new-password' })).status).toBe(303)
    expect((await client().post('/password/reset', { token: other, password: 'the-attackers-choice' })).status).toBe(400)
    expect((await client().post('/login', { email: person.email!, password: 'my-own-new-password' })).status).toBe(303)
    expect((await client().post('/login', { email: person.email!, password: 'the-attackers-choice' })).status).toBe(401)
  })

  it('are stored with their person, and a link issued the old way (person in metadata) still works', async () => {
    const person = await createAccount(db)
    await client().post('/password/forgot', { email: person.email! })
    const stored = await asSystem(db, (trx) => trx.selectFrom('one_time_tokens').select('user_id')
      .where('purpose', '=', 'password_reset').where('target', '=', person.email!).execute())
    expect(stored).toHaveLength(1)
    expect(stored[0]!.user_id).toBe(person.id)

    const legacy = await asSystem(db, (trx) => issueToken(trx, {
      purpose: 'password_reset', userId: null, target: person.email!, ttlMs: 30 * MINUTE, now: new Date(),
      metadata: { userId: person.id },
    }))
    expect((await client().post('/password/reset', { token: legacy, password: 'set-by-an-old-link' })).status).toBe(303)
    expect((await client().post('/login', { email: person.email!, password: 'set-by-an-old-link' })).status).toBe(303)
  })
})

describe('email confirmation links', () => {
  it('only the newest works: sending another voids the older one', async () => {
    const browser = client()
    const email = `${unique('confirm')}@example.test`
    await browser.post('/register', { name: 'Njeri', email, password: TEST_PASSWORD })
    const older = await linkTo(email, '/account/verify-email')
    expect((await browser.post('/account/verify-email')).headers.get('location')).toBe('/account?notice=verificationSent')
    const newer = await linkTo(email, '/account/verify-email')
    expect(newer).not.toBe(older)
    expect((await browser.get(`/account/verify-email?token=${older}`)).status).toBe(400)
    const confirmed = await browser.get(`/account/verify-email?token=${newer}`)
    expect(confirmed.status).toBe(303)
    expect(confirmed.headers.get('location')).toMatch(/^\/account\?notice=emailConfirmed/)
    const user = await asSystem(db, (trx) => trx.selectFrom('users').select('email_verified_at').where('email', '=', email).executeTakeFirstOrThrow())
    expect(user.email_verified_at).not.toBeNull()
  })
})
