import { describe, expect, it } from 'vitest'
import { DEFAULT_PARAMS, hashPassword, needsRehash, verifyPassword } from '../../src/accounts/password.ts'

describe('password hashing', () => {
  it('stores an Argon2id PHC string at OWASP parameters, salted per hash', async () => {
    const first = await hashPassword('correct horse battery staple')
    const second = await hashPassword('correct horse battery staple')
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect(first).not.toBe(second)
    expect(first).not.toContain('correct horse')
  })

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('Nairobi-2026!')
    expect(await verifyPassword('Nairobi-2026!', stored)).toBe(true)
    expect(await verifyPassword('nairobi-2026!', stored)).toBe(false)
    expect(await verifyPassword('', stored)).toBe(false)
  })

  it('never matches a malformed or tampered hash', async () => {
    const stored = await hashPassword('pw-123456')
    expect(await verifyPassword('pw-123456', 'plaintext')).toBe(false)
    expect(await verifyPassword('pw-123456', stored.replace('argon2id', 'argon2i'))).toBe(false)
    const tampered = stored.slice(0, -2) + (stored.endsWith('AA') ? 'BB' : 'AA')
    expect(await verifyPassword('pw-123456', tampered)).toBe(false)
  })

  it('asks for a rehash when parameters were weaker', async () => {
    const weak = await hashPassword('pw', { m: 1024, t: 1, p: 1 })
    expect(await verifyPassword('pw', weak)).toBe(true)
    expect(needsRehash(weak)).toBe(true)
    expect(needsRehash(await hashPassword('pw', DEFAULT_PARAMS))).toBe(false)
  })
})
