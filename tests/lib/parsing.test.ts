import { describe, expect, it } from 'vitest'
import { minorToInput, parseMajorAmount } from '../../src/lib/money.ts'
import { parseNairobiLocal, toNairobiLocal } from '../../src/lib/nairobi-time.ts'
import { maskPhone, normalizeKenyanPhone } from '../../src/lib/phone.ts'

describe('Nairobi wall-clock time', () => {
  it('reads a datetime-local value as Nairobi time (UTC+3) and writes it back', () => {
    const instant = parseNairobiLocal('2026-12-05T19:00')!
    expect(instant.toISOString()).toBe('2026-12-05T16:00:00.000Z')
    expect(toNairobiLocal(instant)).toBe('2026-12-05T19:00')
    expect(parseNairobiLocal('2026-12-31T23:30:15')!.toISOString()).toBe('2026-12-31T20:30:15.000Z')
  })

  it.each(['', '2026-02-30T10:00', '2026-13-01T10:00', '2026-12-05T24:00', '2026-12-05 19:00', 'tomorrow'])(
    'refuses %j', (text) => expect(parseNairobiLocal(text)).toBeNull())
})

describe('amounts', () => {
  it.each([['1500', 150_000], ['1,500', 150_000], ['1500.5', 150_050], ['0.99', 99], ['0', 0]])('%s KES → %i', (text, minor) =>
    expect(parseMajorAmount(text)).toBe(minor))
  it.each(['-1', '1.999', 'abc', '', '1e3', '10000000000'])('refuses %j', (text) => expect(parseMajorAmount(text)).toBeNull())
  it('shows minor units back as typed amounts', () => {
    expect(minorToInput(150_000)).toBe('1500')
    expect(minorToInput(150_050)).toBe('1500.50')
  })
})

describe('Kenyan phone numbers', () => {
  it.each([['0712345678', '254712345678'], ['+254 712 345 678', '254712345678'], ['254112345678', '254112345678'],
    ['0112-345-678', '254112345678'], ['712345678', '254712345678']])('%s → %s', (input, phone) =>
    expect(normalizeKenyanPhone(input)).toBe(phone))
  it.each(['0812345678', '071234567', '+44 20 7946 0958', 'phone', ''])('refuses %j', (input) =>
    expect(normalizeKenyanPhone(input)).toBeNull())
  it('masks the middle digits', () => expect(maskPhone('254712345678')).toBe('0712 ••• 678'))
})
