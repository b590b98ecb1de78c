import { AwsClient } from 'aws4fetch'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { Database } from '../../src/db/database.ts'
import { ANONYMOUS, withContext, type RequestContext } from '../../src/db/request-context.ts'
import type { NewBlob } from '../../src/storage/blob-store.ts'
import { BlobStoreError, s3BlobStore, s3ConfigFromEnv } from '../../src/storage/s3-blob-store.ts'
import { openTestDatabase } from '../support/database.ts'
import { asSystem, createTenant, createUser } from '../support/fixtures.ts'
import { startS3Standin, type S3Standin } from '../support/s3-standin.ts'

let db: Database
let standin: S3Standin
let tenantA: string
let tenantB: string
let managerA: RequestContext
let managerB: RequestContext

const configOf = (s: S3Standin, overrides: { secretAccessKey?: string; accessKeyId?: string } = {}) => ({
  bucketUrl: s.bucketUrl, accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, region: s.region, ...overrides,
})
const pdf = () => new Uint8Array(new TextEncoder().encode(`%PDF-1.7 ${crypto.randomUUID()}`))
const template = (bytes = pdf()): NewBlob => ({ tenantId: tenantA, purpose: 'ticket_template', contentType: 'application/pdf', bytes, isPublic: false })
// tenant A's only: on Postgres, other test files write blobs into the same database meanwhile
const blobCount = () => asSystem(db, async (trx) =>
  (await trx.selectFrom('blobs').select('id').where('tenant_id', '=', tenantA).execute()).length)
const blobRow = (id: string) => asSystem(db, (trx) => trx.selectFrom('blobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow())

beforeAll(async () => {
  db = await openTestDatabase()
  standin = await startS3Standin()
  tenantA = (await createTenant(db)).id
  tenantB = (await createTenant(db)).id
  managerA = { role: 'manager', tenantId: tenantA, userId: (await createUser(db)).id }
  managerB = { role: 'manager', tenantId: tenantB, userId: (await createUser(db)).id }
})
afterAll(async () => {
  await standin?.close()
  await db?.destroy()
})

describe('s3BlobStore against a SigV4-checking stand-in', () => {
  it('puts a file in the bucket and gets it back; the row has a storage key and no data', async () => {
    const store = s3BlobStore(configOf(standin))
    const bytes = pdf()
    const id = await withContext(db, managerA, (trx) => store.put(trx, template(bytes)))
    const row = await blobRow(id)
    expect(row).toMatchObject({ tenant_id: tenantA, storage_key: `${tenantA}/${id}`, data: null, byte_size: bytes.byteLength, is_public: false })
    expect(standin.objects.get(`${tenantA}/${id}`)).toEqual({ bytes: Buffer.from(bytes), contentType: 'application/pdf' })

    const got = await withContext(db, managerA, (trx) => store.get(trx, id))
    expect(got).toEqual({ contentType: 'application/pdf', bytes, isPublic: false, sha256: row.sha256 })
    expect(standin.requests.filter((r) => r.path.endsWith(id)).map((r) => [r.method, r.status, r.refusal]))
      .toEqual([['PUT', 200, undefined], ['GET', 200, undefined]])
    // aws4fetch signs S3 requests with an unsigned payload: the signature does not cover the bytes.
    expect(standin.requests.find((r) => r.path.endsWith(id))?.contentSha256).toBe('UNSIGNED-PAYLOAD')
  })

  it('gives another tenant (and anyone) nothing for a private file, without asking the bucket', async () => {
    const store = s3BlobStore(configOf(standin))
    const id = await withContext(db, managerA, (trx) => store.put(trx, template()))
    const asked = standin.requests.length
    expect(await withContext(db, managerB, (trx) => store.get(trx, id))).toBeUndefined()
    expect(await withContext(db, ANONYMOUS, (trx) => store.get(trx, id))).toBeUndefined()
    expect(standin.requests.length).toBe(asked)
  })

  it('serves a public poster to anyone', async () => {
    const store = s3BlobStore(configOf(standin))
    const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3])
    const id = await withContext(db, managerA, (trx) =>
      store.put(trx, { tenantId: tenantA, purpose: 'poster', contentType: 'image/png', bytes, isPublic: true }))
    expect((await withContext(db, ANONYMOUS, (trx) => store.get(trx, id)))?.bytes).toEqual(bytes)
  })

  it('throws BlobStoreError and writes no row when the bucket answers 500 (after aws4fetch retries)', async () => {
    const store = s3BlobStore(configOf(standin))
    const before = await blobCount()
    const puts = () => standin.requests.filter((r) => r.method === 'PUT').length
    const putsBefore = puts()
    standin.failPutsWith(500)
    // one retry (it runs inside a transaction); no random backoff wait in the test
    const random = vi.spyOn(Math, 'random').mockReturnValue(0)
    try {
      await expect(withContext(db, managerA, (trx) => store.put(trx, template()))).rejects.toThrow(BlobStoreError)
    } finally {
      random.mockRestore()
      standin.failPutsWith(null)
    }
    expect(puts() - putsBefore).toBe(2)
    expect(await blobCount()).toBe(before)
  })

  it.each([
    ['a wrong secret key', { secretAccessKey: 'not-the-secret' }, 'SignatureDoesNotMatch'],
    ['an unknown access key', { accessKeyId: 'AKIAUNKNOWN' }, 'InvalidAccessKeyId'],
  ])('is refused by the stand-in when signed with %s: BlobStoreError, no row', async (_case, overrides, refusal) => {
    const store = s3BlobStore(configOf(standin, overrides))
    const before = await blobCount()
    await expect(withContext(db, managerA, (trx) => store.put(trx, template()))).rejects.toThrow(BlobStoreError)
    expect(standin.requests.at(-1)).toMatchObject({ method: 'PUT', status: 403, refusal })
    expect(await blobCount()).toBe(before)
  })

  it('throws BlobStoreError when the row exists but the bucket has lost the object', async () => {
    const store = s3BlobStore(configOf(standin))
    const id = await withContext(db, managerA, (trx) => store.put(trx, template()))
    standin.objects.delete(`${tenantA}/${id}`)
    await expect(withContext(db, managerA, (trx) => store.get(trx, id))).rejects.toThrow(BlobStoreError)
  })
})

describe('the stand-in itself', () => {
  it('refuses unsigned requests and a signature replayed on another key', async () => {
    expect((await fetch(`${standin.bucketUrl}/some/key`)).status).toBe(403)
    const client = new AwsClient({ ...configOf(standin), service: 's3' })
    const signed = await client.sign(`${standin.bucketUrl}/some/key`)
    expect((await fetch(signed)).status).toBe(404) // a valid signature: only the object is missing
    const replayed = await fetch(`${standin.bucketUrl}/other/key`, { headers: signed.headers })
    expect(replayed.status).toBe(403)
    expect(standin.requests.at(-1)?.refusal).toBe('SignatureDoesNotMatch')
  })
})

describe('s3ConfigFromEnv', () => {
  const full = { S3_BUCKET_URL: 'https://acc.r2.cloudflarestorage.com/tikiti/', S3_ACCESS_KEY_ID: 'id', S3_SECRET_ACCESS_KEY: 'secret' }

  it('reads the bucket, keys and region (default auto, no trailing slash)', () => {
    expect(s3ConfigFromEnv(full)).toEqual({
      bucketUrl: 'https://acc.r2.cloudflarestorage.com/tikiti', accessKeyId: 'id', secretAccessKey: 'secret', region: 'auto',
    })
    expect(s3ConfigFromEnv({ ...full, S3_REGION: 'eu-west-1' })?.region).toBe('eu-west-1')
  })

  it.each(['S3_BUCKET_URL', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'])('is undefined without %s (missing or empty)', (name) => {
    const { [name as keyof typeof full]: _dropped, ...rest } = full
    expect(s3ConfigFromEnv(rest)).toBeUndefined()
    expect(s3ConfigFromEnv({ ...full, [name]: '' })).toBeUndefined()
    expect(s3ConfigFromEnv({})).toBeUndefined()
  })
})
