/**
 * The blob-storage port: where uploaded files' bytes live. Every file is described by a `blobs` row
 * (tenant, purpose, type, size, hash; row-level security applies); the bytes go either into that row
 * (the default) or into an S3-compatible bucket such as R2 (`s3-blob-store.ts`).
 */
import type { Queryable } from '../db/database.ts'
import type { BlobContentType, BlobPurpose } from '../db/schema.ts'
import { sha256Hex } from '../lib/crypto.ts'

export interface NewBlob {
  tenantId: string
  purpose: BlobPurpose
  contentType: BlobContentType
  bytes: Uint8Array<ArrayBuffer>
  isPublic: boolean
}

export interface StoredBlob {
  contentType: BlobContentType
  bytes: Uint8Array<ArrayBuffer>
  isPublic: boolean
  sha256: string
}

export interface BlobStore {
  /** Stores the file; returns its id. Runs in the caller's transaction and tenant context. */
  put(trx: Queryable, blob: NewBlob): Promise<string>
  /** The file, if this context may read it (public, or the caller's tenant's). */
  get(trx: Queryable, id: string): Promise<StoredBlob | undefined>
}

/** Describes the blob in Postgres; `data` holds the bytes unless `storageKey` says where they are. */
export async function insertBlobRow(trx: Queryable, blob: NewBlob, where: { data: Uint8Array } | { storageKey: string }, id?: string) {
  const row = await trx.insertInto('blobs').values({
    ...(id ? { id } : {}),
    tenant_id: blob.tenantId,
    purpose: blob.purpose,
    content_type: blob.contentType,
    byte_size: blob.bytes.byteLength,
    sha256: await sha256Hex(blob.bytes),
    is_public: blob.isPublic,
    data: 'data' in where ? where.data : null,
    storage_key: 'storageKey' in where ? where.storageKey : null,
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export function findBlobRow(trx: Queryable, id: string) {
  return trx.selectFrom('blobs').select(['content_type', 'data', 'storage_key', 'is_public', 'sha256'])
    .where('id', '=', id).executeTakeFirst()
}

/** The default: bytes in Postgres, next to their description. */
export const postgresBlobStore: BlobStore = {
  put: (trx, blob) => insertBlobRow(trx, blob, { data: blob.bytes }),
  async get(trx, id) {
    const row = await findBlobRow(trx, id)
    if (!row?.data) return undefined
    return { contentType: row.content_type, bytes: new Uint8Array(row.data), isPublic: row.is_public, sha256: row.sha256 }
  },
}

