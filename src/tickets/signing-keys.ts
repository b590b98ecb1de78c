/**
 * Each tenant signs its tickets with its own Ed25519 key. The private key is sealed with SECRETS_KEYS
 * (bound to the tenant) and opened only to sign; the public keys go to scanners, which verify offline.
 */
import type { Queryable } from '../db/database.ts'
import { base64Url, fromBase64 } from '../lib/crypto.ts'
import { open, seal, type KeyRing } from '../lib/secret-box.ts'
import { SecretsNotConfiguredError } from '../lib/domain-errors.ts'

const context = (tenantId: string) => `ticket-signing:${tenantId}`

async function createKey(trx: Queryable, ring: KeyRing, tenantId: string): Promise<void> {
  const pair = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey('pkcs8', pair.privateKey))
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey))
  const last = await trx.selectFrom('ticket_signing_keys').select((eb) => eb.fn.max('key_id').as('max'))
    .where('tenant_id', '=', tenantId).executeTakeFirst()
  await trx.insertInto('ticket_signing_keys').values({
    tenant_id: tenantId, key_id: Number(last?.max ?? 0) + 1, public_key: base64Url(raw),
    sealed_private_key: await seal(ring, base64Url(pkcs8), context(tenantId)),
  }).onConflict((oc) => oc.columns(['tenant_id', 'key_id']).doNothing()).execute()
}

/** The tenant's current signing key, made on first use. */
export async function currentSigningKey(trx: Queryable, ring: KeyRing | undefined, tenantId: string) {
  if (!ring) throw new SecretsNotConfiguredError()
  const find = () => trx.selectFrom('ticket_signing_keys').select(['key_id', 'sealed_private_key'])
    .where('tenant_id', '=', tenantId).where('retired_at', 'is', null).orderBy('key_id', 'desc').executeTakeFirst()
  let row = await find()
  if (!row) {
    await createKey(trx, ring, tenantId)
    row = await find()
  }
  const pkcs8 = fromBase64(await open(ring, row!.sealed_private_key, context(tenantId)))
  const privateKey = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, false, ['sign'])
  return { keyId: row!.key_id, privateKey }
}

/** Every public key of the tenant (retired ones too: their tickets stay valid), by key id. */
export async function publicKeysOf(trx: Queryable, tenantId: string): Promise<Map<number, CryptoKey>> {
  const rows = await trx.selectFrom('ticket_signing_keys').select(['key_id', 'public_key']).where('tenant_id', '=', tenantId).execute()
  const keys = new Map<number, CryptoKey>()
  for (const row of rows) {
    keys.set(row.key_id, await crypto.subtle.importKey('raw', fromBase64(row.public_key), { name: 'Ed25519' }, true, ['verify']))
  }
  return keys
}
