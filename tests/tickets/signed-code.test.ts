import QRCode from 'qrcode'
import { beforeAll, describe, expect, it } from 'vitest'
import { base32Decode, base32Encode, CODE_PREFIX, signTicketCode, verifyTicketCode, type TicketCodeClaims } from '../../src/tickets/signed-code.ts'

let keys: CryptoKeyPair
let otherKeys: CryptoKeyPair
const claims: TicketCodeClaims = {
  keyId: 7, ticketId: '6f1c2a4e-8b3d-4c5e-9f70-112233445566', eventId: '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3',
  qrVersion: 2, issuedAt: new Date('2026-11-24T08:00:00Z'),
}
const now = new Date('2026-11-24T09:00:00Z')
const keyring = (keyId: number) => (keyId === 7 ? keys.publicKey : undefined)

beforeAll(async () => {
  keys = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
  otherKeys = await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify']) as CryptoKeyPair
})

describe('signed ticket codes', () => {
  it('round-trips its claims and verifies with the public key only', async () => {
    const code = await signTicketCode(claims, keys.privateKey)
    expect(code.startsWith(CODE_PREFIX)).toBe(true)
    expect(await verifyTicketCode(code, keyring, { eventId: claims.eventId, now })).toEqual({ ok: true, claims })
  })

  it('fits a version 7 QR or smaller at error correction M, in alphanumeric mode, with no personal data', async () => {
    const code = await signTicketCode({ ...claims, qrVersion: 255, keyId: 65535 }, keys.privateKey)
    expect(code).toMatch(/^T1[A-Z2-7]+$/)
    expect(code.length).toBe(169)
    const qr = QRCode.create(code, { errorCorrectionLevel: 'M' })
    expect(qr.version).toBeLessThanOrEqual(7)
    expect(qr.segments.map((segment) => segment.mode.id)).toEqual(['Alphanumeric'])
  })

  it('refuses a code signed by another key, and an unknown key id', async () => {
    const forged = await signTicketCode(claims, otherKeys.privateKey)
    expect(await verifyTicketCode(forged, keyring, { now })).toEqual({ ok: false, reason: 'bad_signature' })
    const unknown = await signTicketCode({ ...claims, keyId: 8 }, keys.privateKey)
    expect(await verifyTicketCode(unknown, keyring, { now })).toEqual({ ok: false, reason: 'unknown_key' })
  })

  it('refuses every single-bit flip of the payload and the signature', async () => {
    const code = await signTicketCode(claims, keys.privateKey)
    const bytes = base32Decode(code.slice(2))!
    for (let bit = 0; bit < bytes.length * 8; bit += 3) {
      const flipped = bytes.slice()
      flipped[bit >> 3]! ^= 1 << (bit & 7)
      const result = await verifyTicketCode(CODE_PREFIX + base32Encode(flipped), keyring, { now })
      expect(result.ok, `bit ${bit}`).toBe(false)
    }
  })

  it('refuses truncated, padded, lower-cased, foreign and empty codes as malformed', async () => {
    const code = await signTicketCode(claims, keys.privateKey)
    for (const bad of [code.slice(0, -1), code.slice(0, 100), `${code}A`, code.toLowerCase(), `X1${code.slice(2)}`, '', 'https://evil.example/', code.replace(/A/g, '1')]) {
      expect(await verifyTicketCode(bad, keyring, { now }), bad.slice(0, 20)).toEqual({ ok: false, reason: 'malformed' })
    }
  })

  it('refuses a code for another event, and a future-dated one', async () => {
    const code = await signTicketCode(claims, keys.privateKey)
    expect(await verifyTicketCode(code, keyring, { eventId: '11111111-1111-4111-8111-111111111111', now }))
      .toEqual({ ok: false, reason: 'wrong_event' })
    const future = await signTicketCode({ ...claims, issuedAt: new Date(now.getTime() + 3600_000) }, keys.privateKey)
    expect(await verifyTicketCode(future, keyring, { now })).toEqual({ ok: false, reason: 'future_dated' })
  })

  it('says which QR version it carries, so an older version can be refused as superseded', async () => {
    const v1 = await signTicketCode({ ...claims, qrVersion: 1 }, keys.privateKey)
    const v2 = await signTicketCode({ ...claims, qrVersion: 2 }, keys.privateKey)
    const [a, b] = await Promise.all([verifyTicketCode(v1, keyring, { now }), verifyTicketCode(v2, keyring, { now })])
    expect(a.ok && a.claims.qrVersion).toBe(1)
    expect(b.ok && b.claims.qrVersion).toBe(2)
  })
})
