/** The digests every token rests on: the same answers in JavaScript (short inputs) as from WebCrypto. */
import { describe, expect, it } from 'vitest'
import { bytesToHex } from '@noble/hashes/utils.js'
import { hmacSha256, sha256Hex } from '../../src/lib/crypto.ts'

async function webCryptoHmac(key: string, message: string): Promise<string> {
  const encoder = new TextEncoder()
  const cryptoKey = await crypto.subtle.importKey('raw', encoder.encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return bytesToHex(new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(message))))
}

describe('digests', () => {
  it('computes HMAC-SHA-256 as RFC 4231 and WebCrypto do, short and long, and in UTF-8', async () => {
    // RFC 4231, test case 2
    expect(bytesToHex(await hmacSha256('Jefe', 'what do ya want for nothing?')))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')
    for (const [key, message] of [['k'.repeat(80), 'admission|event|browser|1'], ['ufunguo', 'ñ€😀'.repeat(3)], ['long', 'x'.repeat(10_000)]]) {
      expect(bytesToHex(await hmacSha256(key!, message!))).toBe(await webCryptoHmac(key!, message!))
    }
  })

  it('computes SHA-256 of short and long inputs alike', async () => {
    expect(await sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    const long = 'y'.repeat(10_000)
    expect(await sha256Hex(long)).toBe(bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(long)))))
  })
})
