import { describe, expect, it } from 'vitest'
import { en } from '../../src/i18n/en.ts'
import { formatDateTime, formatMoney } from '../../src/i18n/format.ts'
import { catalogKeys, langFromAcceptLanguage, LANGUAGES, translator } from '../../src/i18n/index.ts'
import { sw } from '../../src/i18n/sw.ts'

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('message catalog', () => {
  it('has every English key in every language, and nothing extra', () => {
    for (const lang of LANGUAGES) expect(catalogKeys(lang).sort(), lang).toEqual(Object.keys(en).sort())
  })

  it('has no empty message', () => {
    for (const [key, text] of [...Object.entries(en), ...Object.entries(sw)]) expect(text.trim(), key).not.toBe('')
  })

  it('uses the same placeholders in Swahili as in English', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(placeholders(sw[key]), key).toEqual(placeholders(en[key]))
    }
  })

  it('fills placeholders and leaves unknown ones visible', () => {
    const t = translator('sw')
    expect(t('event.ticketsLeft', { count: 12 })).toBe('Zimebaki 12')
    expect(t('event.ticketsLeft')).toBe('Zimebaki {count}')
  })
})

describe('Accept-Language', () => {
  it.each([
    ['sw-KE,sw;q=0.9,en;q=0.8', 'sw'],
    ['en-GB,en;q=0.9', 'en'],
    ['fr-FR,fr;q=0.9,sw;q=0.5', 'sw'],
    ['sw;q=0,en;q=0.1', 'en'],
    ['de', undefined],
    ['', undefined],
  ])('%s → %s', (header, lang) => {
    expect(langFromAcceptLanguage(header)).toBe(lang)
  })
})

describe('formatting', () => {
  it('shows money from integer minor units like "KES 1,500"', () => {
    expect(formatMoney(150_000, 'KES', 'en')).toBe('KES 1,500')
    expect(formatMoney(1_234_567_800, 'KES', 'sw')).toBe('KES 12,345,678')
    expect(formatMoney(150_050, 'KES', 'en')).toBe('KES 1,500.50')
    expect(formatMoney(0, 'KES', 'en')).toBe('KES 0')
  })

  it('shows times in Nairobi time whatever the server zone', () => {
    // 16:00 UTC is 19:00 in Nairobi (UTC+3)
    const text = formatDateTime(new Date('2026-12-05T16:00:00Z'), 'en')
    expect(text).toContain('19:00')
    expect(text).toContain('5')
    expect(text).toContain('Dec')
  })
})
