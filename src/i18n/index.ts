/**
 * The message catalog: every user-facing string, in English and Swahili. `translator(lang)` gives the
 * `t` used by routes and views; `{name}` placeholders are filled from params.
 */
import { en, type MessageKey } from './en.ts'
import { sw } from './sw.ts'

export type { MessageKey }
export const LANGUAGES = ['en', 'sw'] as const
export type Lang = (typeof LANGUAGES)[number]

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, sw }

export type Translator = (key: MessageKey, params?: Record<string, string | number>) => string

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value)
}

export function translator(lang: Lang): Translator {
  const catalog = catalogs[lang]
  return (key, params) => {
    const template = catalog[key] ?? en[key]
    if (!params) return template
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole)
  }
}

/** Picks the first supported language from an Accept-Language header. */
export function langFromAcceptLanguage(header: string | undefined): Lang | undefined {
  if (!header) return undefined
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';')
      const q = rest.find((p) => p.trim().startsWith('q='))
      return { base: tag.toLowerCase().split('-')[0], q: q ? Number(q.trim().slice(2)) : 1 }
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q)
  return ranked.map((entry) => entry.base).find(isLang)
}

export function catalogKeys(lang: Lang): string[] {
  return Object.keys(catalogs[lang])
}
