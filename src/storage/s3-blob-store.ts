/**
 * Blob bytes in an S3-compatible bucket (Cloudflare R2, MinIO, AWS S3), signed with SigV4 by aws4fetch
 * (fetch and WebCrypto only, so it runs on Deno and Workers). The description stays in Postgres.
 */
import { AwsClient } from 'aws4fetch'
import { envText, type EnvVars } from '../config.ts'
import { insertBlobRow, findBlobRow, type BlobStore } from './blob-store.ts'

export interface S3Config {
  /** Bucket URL, path style: https://<account>.r2.cloudflarestorage.com/<bucket> */
  bucketUrl: string
  accessKeyId: string
  secretAccessKey: string
  region: string
}

export function s3ConfigFromEnv(vars: EnvVars): S3Config | undefined {
  const bucketUrl = envText(vars, 'S3_BUCKET_URL')
  const accessKeyId = envText(vars, 'S3_ACCESS_KEY_ID')
  const secretAccessKey = envText(vars, 'S3_SECRET_ACCESS_KEY')
  if (!bucketUrl || !accessKeyId || !secretAccessKey) return undefined
  return { bucketUrl: bucketUrl.replace(/\/+$/, ''), accessKeyId, secretAccessKey, region: envText(vars, 'S3_REGION') ?? 'auto' }
}

export class BlobStoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BlobStoreError'
  }
}

export function s3BlobStore(config: S3Config): BlobStore {
  const client = new AwsClient({
    accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey, region: config.region, service: 's3',
    // one quick retry: the call runs inside a database transaction holding the event's row lock
    retries: 1,
  })
  const urlOf = (key: string) => `${config.bucketUrl}/${key}`
  return {
    async put(trx, blob) {
      const id = crypto.randomUUID()
      const key = `${blob.tenantId}/${id}`
      const res = await client.fetch(urlOf(key), {
        method: 'PUT', body: blob.bytes, headers: { 'content-type': blob.contentType },
      })
      if (!res.ok) throw new BlobStoreError(`object store refused the upload (${res.status})`)
      return insertBlobRow(trx, blob, { storageKey: key }, id)
    },
    async get(trx, id) {
      const row = await findBlobRow(trx, id)
      if (!row?.storage_key) return undefined
      const res = await client.fetch(urlOf(row.storage_key))
      if (!res.ok) throw new BlobStoreError(`object store could not return a file (${res.status})`)
      return { contentType: row.content_type, bytes: new Uint8Array(await res.arrayBuffer()), isPublic: row.is_public, sha256: row.sha256 }
    },
  }
}
