/** Small WebCrypto helpers shared by features: random tokens, digests, constant-time comparison. */
import { hmac } from '@noble/hashes/hmac.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

/** base64url without padding, for tokens that travel in URLs and cookies. */
export function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Decodes base64 or base64url, with or without padding. Throws on anything else. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const normal = text.replace(/-/g, '+').replace(/_/g, '/')
  return Uint8Array.from(atob(normal + '='.repeat((4 - (normal.length % 4)) % 4)), (ch) => ch.charCodeAt(0))
}

/** An unguessable token: `bytes` random bytes (32 = 256 bits), base64url. */
export function randomToken(bytes = 32): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)))
}

/** A random numeric code of `digits` digits, for codes people type (sign-in and transfer codes). */
export function randomDigits(digits: number): string {
  const values = crypto.getRandomValues(new Uint32Array(digits))
  return [...values].map((value) => String(value % 10)).join('')
}

/**
 * SHA-256 of text (as UTF-8) or bytes, in hex. In JavaScript (@noble/hashes), not WebCrypto: for the short
 * inputs hashed on every hold (keys, tokens, request bodies) an async WebCrypto digest cost about 0.1 ms
 * each on Deno and was a fifth of the server's CPU in the flash-sale benchmark; large inputs still go to
 * WebCrypto.
 */
export async function sha256Hex(input: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input
  if (bytes.length <= SMALL_DIGEST_BYTES) return bytesToHex(sha256(bytes))
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return bytesToHex(new Uint8Array(digest))
}

/** Inputs up to this size are hashed in JavaScript. */
const SMALL_DIGEST_BYTES = 4096

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!
  return diff === 0
}

export function constantTimeEqualText(a: string, b: string): boolean {
  const encoder = new TextEncoder()
  return constantTimeEqual(encoder.encode(a), encoder.encode(b))
}

/**
 * HMAC-SHA-256 of `message` under `key` (both text, as UTF-8). Short messages (queue admissions, reservation
 * tokens, signed cookies) in JavaScript, for the same reason as sha256Hex: WebCrypto's key import and async
 * sign were a twentieth of a flash sale's queue pages.
 */
export async function hmacSha256(key: string, message: string): Promise<Uint8Array<ArrayBuffer>> {
  const encoder = new TextEncoder()
  const messageBytes = encoder.encode(message)
  if (messageBytes.length <= SMALL_DIGEST_BYTES) return new Uint8Array(hmac(sha256, encoder.encode(key), messageBytes))
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, messageBytes))
}

/** Standard base64 with padding (email attachments, WhatsApp files), in chunks so large files fit the stack. */
export function base64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

/** HMAC-SHA-512 of a text, as lowercase hex (WAHA's webhook signature). */
export async function hmacSha512Hex(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign'])
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, new TextEncoder().encode(message)))
  return [...mac].map((byte) => byte.toString(16).padStart(2, '0')).join('')
}
