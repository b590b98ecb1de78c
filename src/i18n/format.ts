/** Money, counts and time as buyers read them: "KES 1,500", "1,500 left", and dates in Africa/Nairobi. */
import type { Lang } from './index.ts'

export const DISPLAY_TIME_ZONE = 'Africa/Nairobi'

const locales: Record<Lang, string> = { en: 'en-KE', sw: 'sw-KE' }

// Building an Intl formatter costs far more than using one (a twentieth of a queue page's CPU went to it):
// each is made once per language and kind, and kept.
const numberFormats = new Map<string, Intl.NumberFormat>()
const dateFormats = new Map<string, Intl.DateTimeFormat>()

function numberFormat(lang: Lang, kind: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${lang}|${kind}`
  let format = numberFormats.get(key)
  if (!format) numberFormats.set(key, format = new Intl.NumberFormat(locales[lang], options))
  return format
}

function dateFormat(lang: Lang, kind: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${kind}`
  let format = dateFormats.get(key)
  if (!format) dateFormats.set(key, format = new Intl.DateTimeFormat(locales[lang], { timeZone: DISPLAY_TIME_ZONE, ...options }))
  return format
}

/** Formats integer minor units: 150000 KES → "KES 1,500"; cents shown only when there are some. */
export function formatMoney(minor: number, currency: string, lang: Lang): string {
  const major = minor / 100
  const digits = Number.isInteger(major) ? 0 : 2
  const number = numberFormat(lang, `money${digits}`, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(major)
  return `${currency} ${number}`
}

/** A count with the language's thousands separators: 1500 → "1,500". */
export function formatCount(count: number, lang: Lang): string {
  return numberFormat(lang, 'count', { maximumFractionDigits: 0 }).format(count)
}

/** A figure with at most one decimal: 1.25 → "1.3", 83.333 → "83.3". */
export function formatDecimal(value: number, lang: Lang): string {
  return numberFormat(lang, 'decimal', { maximumFractionDigits: 1 }).format(value)
}

export function formatDateTime(date: Date, lang: Lang): string {
  return dateFormat(lang, 'dateTime', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(date)
}

export function formatDate(date: Date, lang: Lang): string {
  return dateFormat(lang, 'date', {
    day: 'numeric',
    month: 'short',
  }).format(date)
}
