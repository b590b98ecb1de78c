/** Money, counts and time as buyers read them: "KES 1,500", "1,500 left", and dates in Africa/Nairobi. */
import type { Lang } from './index.ts'

export const DISPLAY_TIME_ZONE = 'Africa/Nairobi'

const locales: Record<Lang, string> = { en: 'en-KE', sw: 'sw-KE' }

/** Formats integer minor units: 150000 KES → "KES 1,500"; cents shown only when there are some. */
export function formatMoney(minor: number, currency: string, lang: Lang): string {
  const major = minor / 100
  const digits = Number.isInteger(major) ? 0 : 2
  const number = new Intl.NumberFormat(locales[lang], {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(major)
  return `${currency} ${number}`
}

/** A count with the language's thousands separators: 1500 → "1,500". */
export function formatCount(count: number, lang: Lang): string {
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 0 }).format(count)
}

/** A figure with at most one decimal: 1.25 → "1.3", 83.333 → "83.3". */
export function formatDecimal(value: number, lang: Lang): string {
  return new Intl.NumberFormat(locales[lang], { maximumFractionDigits: 1 }).format(value)
}

export function formatDateTime(date: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone: DISPLAY_TIME_ZONE,
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
  return new Intl.DateTimeFormat(locales[lang], {
    timeZone: DISPLAY_TIME_ZONE,
    day: 'numeric',
    month: 'short',
  }).format(date)
}
