/**
 * Secrets at rest: AES-256-GCM with keys from the environment (`SECRETS_KEYS="k2:<base64>,k1:<base64>"`,
 * the first one encrypts, every one decrypts, so keys rotate without downtime). Each ciphertext names
 * its key and is bound to a context (the tenant id) as additional data: copied to another tenant's row,
 * it no longer decrypts.
 */
import { base64Url, fromBase64 } from './crypto.ts'

export interface KeyRing {
  activeKeyId: string
  keys: Map<string, CryptoKey>
}

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SecretBoxError'
  }
}

/** Parses SECRETS_KEYS; every key must be 32 bytes. */
export async function parseKeyRing(text: string): Promise<KeyRing> {
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean)
  if (entries.length === 0) throw new SecretBoxError('SECRETS_KEYS holds no key')
  const keys = new Map<string, CryptoKey>()
  for (const entry of entries) {
    const [id, material] = entry.split(':')
    if (!id || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || !material) throw new SecretBoxError('SECRETS_KEYS entries are "<id>:<base64 key>"')
    let raw: Uint8Array<ArrayBuffer>
    try {
      raw = fromBase64(material)
    } catch {
      throw new SecretBoxError(`key ${id} is not base64`)
    }
    if (raw.byteLength !== 32) throw new SecretBoxError(`key ${id} is not 32 bytes`)
    keys.set(id, await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']))
  }
  return { activeKeyId: entries[0]!.split(':')[0]!, keys }
}

/** A new random key in SECRETS_KEYS form. */
export function newKeyEntry(id: string): string {
  return `${id}:${base64Url(crypto.getRandomValues(new Uint8Array(32)))}`
}

export async function seal(ring: KeyRing, plaintext: string, context: string): Promise<string> {
  const key = ring.keys.get(ring.activeKeyId)!
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(context) }, key, new TextEncoder().encode(plaintext))
  return ['v1', ring.activeKeyId, base64Url(iv), base64Url(new Uint8Array(sealed))].join('.')
}

export async function open(ring: KeyRing, box: string, context: string): Promise<string> {
  const [version, keyId, iv, data] = box.split('.')
  const key = keyId ? ring.keys.get(keyId) : undefined
  if (version !== 'v1' || !key || !iv || !data) throw new SecretBoxError('sealed with an unknown key or format')
  try {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(iv), additionalData: new TextEncoder().encode(context) }, key, fromBase64(data))
    return new TextDecoder().decode(plain)
  } catch {
    throw new SecretBoxError('the secret does not open with this key and context')
  }
}

/** The id of the key a box was sealed with (to find boxes that need re-sealing after a rotation). */
export function keyIdOf(box: string): string | undefined {
  return box.split('.')[1]
}
