import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/app.ts'
import { sharedDatabase, type Database } from '../../src/db/database.ts'
import { newKeyEntry, parseKeyRing } from '../../src/lib/secret-box.ts'
import { TEST_CONFIG } from '../support/app.ts'
import { TestClient } from '../support/client.ts'
import { startDarajaOAuthStandin } from '../support/daraja-oauth-standin.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createAccount, createTenant, TEST_PASSWORD } from '../support/fixtures.ts'

const SECRETS = { consumerKey: 'ck_live_ABCDEFGH1234', consumerSecret: 'cs_very_secret_9876', passkey: 'bfb279f9aa9bdbcf158e97dd71a467cd' }

let db: Database
let daraja: Awaited<ReturnType<typeof startDarajaOAuthStandin>>
let appWithKeys: ReturnType<typeof createApp>

async function managerOf(app: ReturnType<typeof createApp>, tenantId?: string) {
  const tenant = tenantId ?? (await createTenant(db)).id
  const account = await createAccount(db, { tenantId: tenant, membership: 'manager' })
  const client = new TestClient(app)
  await client.post('/login', { email: account.email!, password: TEST_PASSWORD })
  return { client, tenantId: tenant }
}

const form = (overrides: Record<string, string> = {}) =>
  ({ environment: 'sandbox', accountType: 'paybill', shortcode: '174379', ...SECRETS, ...overrides })

const storedRow = (tenantId: string) =>
  asSystem(db, (trx) => trx.selectFrom('mpesa_credentials').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst())

beforeAll(async () => {
  db = await openTestDatabase()
  daraja = await startDarajaOAuthStandin(SECRETS)
  appWithKeys = createApp({
    config: { ...TEST_CONFIG, darajaBaseUrl: daraja.baseUrl }, database: sharedDatabase(db), log: () => {},
    secretKeys: await parseKeyRing(newKeyEntry('k1')),
  })
})
afterAll(async () => {
  await daraja.close()
  await db.destroy()
})

describe('M-Pesa credentials', () => {
  it('stores the secrets sealed, and never shows them back', async () => {
    const { client, tenantId } = await managerOf(appWithKeys)
    expect((await client.post('/manage/mpesa', form())).headers.get('location')).toBe('/manage/mpesa?notice=saved')
    const row = (await storedRow(tenantId))!
    expect(row).toMatchObject({ environment: 'sandbox', account_type: 'paybill', shortcode: '174379', key_id: 'k1', consumer_key_hint: '1234' })
    for (const secret of Object.values(SECRETS)) expect(row.encrypted_secrets).not.toContain(secret)
    const page = await (await client.get('/manage/mpesa?notice=saved')).text()
    expect(page).toContain('consumer key ending in ••••1234')
    for (const secret of Object.values(SECRETS)) expect(page).not.toContain(secret)
  })

  it('keeps the stored secrets when the secret fields are left empty', async () => {
    const { client, tenantId } = await managerOf(appWithKeys)
    await client.post('/manage/mpesa', form())
    const before = (await storedRow(tenantId))!.encrypted_secrets
    await client.post('/manage/mpesa', form({ shortcode: '600000', consumerKey: '', consumerSecret: '', passkey: '' }))
    const after = (await storedRow(tenantId))!
    expect(after.shortcode).toBe('600000')
    expect(after.encrypted_secrets).toBe(before)
  })

  it('keeps a B2C shortcode for resale payouts apart from the paybill, shown back, and clears it when emptied', async () => {
    const { client, tenantId } = await managerOf(appWithKeys)
    await client.post('/manage/mpesa', form({ b2cShortcode: ' 600100 ' }))
    expect((await storedRow(tenantId))!).toMatchObject({ shortcode: '174379', b2c_shortcode: '600100' })
    expect(await (await client.get('/manage/mpesa')).text()).toContain('value="600100"')
    await client.post('/manage/mpesa', form({ b2cShortcode: '', consumerKey: '', consumerSecret: '', passkey: '' }))
    expect((await storedRow(tenantId))!.b2c_shortcode).toBeNull()
  })

  it.each([
    ['a short shortcode', { shortcode: '1234' }, 422, 'A shortcode is 5 to 7 digits.'],
    ['a B2C shortcode that is not 5 to 7 digits', { b2cShortcode: '60x000' }, 422, 'A shortcode is 5 to 7 digits.'],
    ['an unknown environment', { environment: 'staging' }, 422, 'This value is not valid.'],
    ['only some secrets', { passkey: '' }, 422, 'Enter the consumer key, consumer secret and passkey.'],
  ])('refuses %s, storing nothing', async (_case, overrides, status, message) => {
    const { client, tenantId } = await managerOf(appWithKeys)
    const res = await client.post('/manage/mpesa', form(overrides))
    expect(res.status).toBe(status)
    const html = await res.text()
    expect(html).toContain(message)
    expect(html).not.toContain(SECRETS.consumerSecret)
    expect(await storedRow(tenantId)).toBeUndefined()
  })

  it('tests the connection by fetching a Daraja token with the stored credentials', async () => {
    const { client } = await managerOf(appWithKeys)
    await client.post('/manage/mpesa', form())
    const ok = await client.post('/manage/mpesa/test')
    expect(ok.status).toBe(200)
    expect(await ok.text()).toContain('Connected: Daraja issued an access token.')

    const wrong = await managerOf(appWithKeys)
    await wrong.client.post('/manage/mpesa', form({ consumerSecret: 'not-the-secret' }))
    const refused = await wrong.client.post('/manage/mpesa/test')
    expect(refused.status).toBe(422)
    expect(await refused.text()).toContain('Daraja refused these credentials')
  })

  it('says when Daraja cannot be reached', async () => {
    const unreachable = createApp({
      config: { ...TEST_CONFIG, darajaBaseUrl: 'http://127.0.0.1:1' }, database: sharedDatabase(db), log: () => {},
      secretKeys: await parseKeyRing(newKeyEntry('k1')),
    })
    const { client } = await managerOf(unreachable)
    await client.post('/manage/mpesa', form())
    const res = await client.post('/manage/mpesa/test')
    expect(res.status).toBe(502)
    expect(await res.text()).toContain('Could not reach Daraja')
  })

  it('cannot store credentials without SECRETS_KEYS, and says so', async () => {
    const noKeys = createApp({ config: TEST_CONFIG, database: sharedDatabase(db), log: () => {} })
    const { client, tenantId } = await managerOf(noKeys)
    expect(await (await client.get('/manage/mpesa')).text()).toContain('SECRETS_KEYS is not set')
    expect((await client.post('/manage/mpesa', form())).status).toBe(503)
    expect(await storedRow(tenantId)).toBeUndefined()
  })

  it('is the tenant’s own: another tenant’s manager sees and tests only their own', async () => {
    const a = await managerOf(appWithKeys)
    await a.client.post('/manage/mpesa', form())
    const b = await managerOf(appWithKeys)
    const page = await (await b.client.get('/manage/mpesa')).text()
    expect(page).toContain('No credentials yet.')
    expect((await b.client.post('/manage/mpesa/test')).status).toBe(409)
  })
})
