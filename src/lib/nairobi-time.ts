/**
 * Managers type times as Nairobi wall-clock time (`<input type="datetime-local">`). Nairobi is UTC+3
 * all year (no daylight saving), so the conversion is a fixed offset.
 */
const OFFSET_MS = 3 * 3600 * 1000
const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/

/** "2026-12-05T19:00" (Nairobi) → the instant, or null when it is not a real date and time. */
export function parseNairobiLocal(text: string): Date | null {
  const match = LOCAL.exec(text.trim())
  if (!match) return null
  const [y, mo, d, h, mi, s] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number]
  const utc = Date.UTC(y, mo - 1, d, h, mi, s)
  const check = new Date(utc)
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null
  return new Date(utc - OFFSET_MS)
}

/** The instant as a datetime-local value in Nairobi time, for filling forms. */
export function toNairobiLocal(date: Date): string {
  return new Date(date.getTime() + OFFSET_MS).toISOString().slice(0, 16)
}
