import { describe, expect, it } from 'vitest'
import { keyIdOf, newKeyEntry, open, parseKeyRing, seal, SecretBoxError } from '../../src/lib/secret-box.ts'

describe('secrets at rest', () => {
  it('seals and opens, with a fresh IV each time, naming the key', async () => {
    const ring = await parseKeyRing(newKeyEntry('k1'))
    const a = await seal(ring, 'consumer-secret', 'tenant-a')
    const b = await seal(ring, 'consumer-secret', 'tenant-a')
    expect(a).not.toBe(b)
    expect(a).not.toContain('consumer-secret')
    expect(keyIdOf(a)).toBe('k1')
    expect(await open(ring, a, 'tenant-a')).toBe('consumer-secret')
  })

  it('refuses another context (a secret copied to another tenant), tampering, and unknown keys', async () => {
    const ring = await parseKeyRing(newKeyEntry('k1'))
    const box = await seal(ring, 'passkey', 'tenant-a')
    await expect(open(ring, box, 'tenant-b')).rejects.toThrow(SecretBoxError)
    const parts = box.split('.')
    const flipped = parts[3]!.startsWith('A') ? `B${parts[3]!.slice(1)}` : `A${parts[3]!.slice(1)}`
    await expect(open(ring, [...parts.slice(0, 3), flipped].join('.'), 'tenant-a')).rejects.toThrow(SecretBoxError)
    const other = await parseKeyRing(newKeyEntry('k9'))
    await expect(open(other, box, 'tenant-a')).rejects.toThrow(/unknown key/)
  })

  it('rotates: a new first key encrypts, old boxes still open', async () => {
    const old = newKeyEntry('k1')
    const before = await seal(await parseKeyRing(old), 'secret', 't')
    const rotated = await parseKeyRing(`${newKeyEntry('k2')},${old}`)
    expect(rotated.activeKeyId).toBe('k2')
    expect(await open(rotated, before, 't')).toBe('secret')
    expect(keyIdOf(await seal(rotated, 'secret', 't'))).toBe('k2')
  })

  it.each(['', 'k1', 'k1:short', ':AAAA', 'bad id!:' + 'A'.repeat(43)])('rejects the key list %j', async (text) => {
    await expect(parseKeyRing(text)).rejects.toThrow(SecretBoxError)
  })
})
