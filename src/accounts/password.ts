/**
 * Password hashing with Argon2id at OWASP's recommended parameters (19 MiB memory, 2 passes, 1 lane),
 * in pure JavaScript so it runs unchanged on Deno and Workers (Workers refuse to compile WebAssembly
 * at run time, and cap WebCrypto PBKDF2 at 100,000 iterations, far below OWASP's 600,000).
 * Hashes are PHC strings, so parameters can be raised later and old hashes still verify.
 */
import { argon2idAsync } from '@noble/hashes/argon2.js'
import { constantTimeEqual, fromBase64 } from '../lib/crypto.ts'

export interface Argon2Params {
  m: number
  t: number
  p: number
}

export const DEFAULT_PARAMS: Argon2Params = { m: 19456, t: 2, p: 1 }
const HASH_BYTES = 32
const SALT_BYTES = 16

function toBase64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, '')
}

export async function hashPassword(password: string, params: Argon2Params = DEFAULT_PARAMS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const hash = await argon2idAsync(password, salt, { ...params, dkLen: HASH_BYTES })
  return `$argon2id$v=19$m=${params.m},t=${params.t},p=${params.p}$${toBase64(salt)}$${toBase64(hash)}`
}

/**
 * A well-formed hash at today's cost that no password matches. Checked when there is no account or no
 * password to check against, so a refusal takes as long as for a real account: the answer's timing must
 * not tell who has an account.
 */
export const DUMMY_HASH = `$argon2id$v=19$m=${DEFAULT_PARAMS.m},t=${DEFAULT_PARAMS.t},p=${DEFAULT_PARAMS.p}$${'A'.repeat(22)}$${'A'.repeat(43)}`

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/

/** True when `password` matches `stored`. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = PHC.exec(stored)
  if (!match) return false
  const [, m, t, p, salt, hash] = match
  const expected = fromBase64(hash!)
  const actual = await argon2idAsync(password, fromBase64(salt!), {
    m: Number(m), t: Number(t), p: Number(p), dkLen: expected.length,
  })
  return constantTimeEqual(actual, expected)
}

/** True when a stored hash uses weaker parameters than today's and should be rehashed at next login. */
export function needsRehash(stored: string, params: Argon2Params = DEFAULT_PARAMS): boolean {
  const match = PHC.exec(stored)
  if (!match) return true
  return Number(match[1]) < params.m || Number(match[2]) < params.t || Number(match[3]) < params.p
}
