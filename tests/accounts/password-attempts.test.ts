/**
 * Password guesses are counted before the slow hash, so concurrent guesses cannot outrun the lockout;
 * an unknown email (or an account without a password) still costs a full hash, so timing does not tell
 * who has an account. verifyPassword is wrapped to count how often the hash really runs.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { DEFAULT_PARAMS, verifyPassword } from '../../src/accounts/password.ts'
import type { Database } from '../../src/db/database.ts'
import { createTestApp } from '../support/app.ts'
import { MINUTE, TestClient, TestClock } from '../support/client.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, TEST_PASSWORD, unique } from '../support/fixtures.ts'

vi.mock('../../src/accounts/password.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/accounts/password.ts')>()
  return { ...real, verifyPassword: vi.fn(real.verifyPassword) }
})
const verified = vi.mocked(verifyPassword)

let db: Database
beforeAll(async () => {
  db = await openTestDatabase()
})
afterAll(() => db.destroy())
beforeEach(() => verified.mockClear())

function setup() {
  const clock = new TestClock()
  const { app } = createTestApp(db, { now: clock.now })
  return { app, clock, client: () => new TestClient(app) }
}

const todaysCost = new RegExp(`^\\$argon2id\\$v=19\\$m=${DEFAULT_PARAMS.m},t=${DEFAULT_PARAMS.t},p=${DEFAULT_PARAMS.p}\\$`)

describe('the sign-in lockout (on PGlite the requests share one connection, so only the hashing overlaps)', () => {
  it('checks at most 10 of 15 concurrent wrong guesses; the others are refused with 429 unhashed', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) =>
      client().post('/login', { email: person.email!, password: `wrong-guess-${i}` })))
    const statuses = answers.map((res) => res.status)
    expect(statuses).toHaveLength(15)
    expect(statuses.filter((status) => status === 401)).toHaveLength(10)
    expect(statuses.filter((status) => status === 429)).toHaveLength(5)
    expect(verified).toHaveBeenCalledTimes(10)
    // and the right password is refused too until the window has passed
    expect((await client().post('/login', { email: person.email!, password: TEST_PASSWORD })).status).toBe(429)
  })

  it('forgets the count after a successful sign-in', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    for (let i = 0; i < 9; i++) await client().post('/login', { email: person.email!, password: 'wrong-password' })
    expect((await client().post('/login', { email: person.email!, password: TEST_PASSWORD })).status).toBe(303)
    for (let i = 0; i < 9; i++) {
      expect((await client().post('/login', { email: person.email!, password: 'wrong-password' })).status).toBe(401)
    }
    expect((await client().post('/login', { email: person.email!, password: TEST_PASSWORD })).status).toBe(303)
  })

  it('counts password confirmations before hashing too', async () => {
    const { client, clock } = setup()
    const person = await createAccount(db)
    const browser = client()
    await browser.post('/login', { email: person.email!, password: TEST_PASSWORD })
    clock.advance(20 * MINUTE)
    verified.mockClear()
    const answers = await Promise.all(Array.from({ length: 15 }, (_, i) =>
      browser.post('/account/confirm-password', { password: `wrong-guess-${i}`, next: '/account' })))
    const statuses = answers.map((res) => res.status)
    expect(statuses.filter((status) => status === 401)).toHaveLength(10)
    expect(statuses.filter((status) => status === 429)).toHaveLength(5)
    expect(verified).toHaveBeenCalledTimes(10)
  })
})

describe('sign-in timing', () => {
  it('hashes against a dummy at full cost for an unknown email, and refuses it as a wrong password', async () => {
    const { client } = setup()
    const res = await client().post('/login', { email: `${unique('nobody')}@example.test`, password: 'some-password' })
    expect(res.status).toBe(401)
    expect(verified).toHaveBeenCalledTimes(1)
    expect(verified.mock.calls[0]![1]).toMatch(todaysCost)
  })

  it('hashes against a dummy for an account without a password (Google only), and refuses it', async () => {
    const { client } = setup()
    const person = await createAccount(db)
    await asSystem(db, (trx) => trx.updateTable('users').set({ password_hash: null }).where('id', '=', person.id).execute())
    const res = await client().post('/login', { email: person.email!, password: 'some-password' })
    expect(res.status).toBe(401)
    expect(verified).toHaveBeenCalledTimes(1)
    expect(verified.mock.calls[0]![1]).toMatch(todaysCost)
  })
})
