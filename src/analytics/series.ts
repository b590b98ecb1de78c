/** Sales series as chart points: every hour or day of the axis, empty ones included, so the axis is time. */
import type { SalesBucket } from './figure-queries.ts'

export interface Point {
  label: string
  value: number
}

const DAY_MS = 24 * 3600_000
const nairobiKey = (at: number, length: number) => new Date(at + 3 * 3600_000).toISOString().slice(0, length)

/** The last 72 hours, one point per Nairobi hour, empty hours included so the axis is time. */
export function hourlyPoints(buckets: SalesBucket[], now: Date, hours: number): Array<Point & { key: string }> {
  const byKey = new Map(buckets.map((b) => [b.bucket, b.tickets]))
  return Array.from({ length: hours }, (_, i) => {
    const key = `${nairobiKey(now.getTime() - (hours - 1 - i) * 3600_000, 13)}:00`
    return { key, label: key.slice(11, 13), value: byKey.get(key) ?? 0 }
  })
}

/** Every day from the first sale to the last (at most the last 90 in the chart). */
export function dailyPoints(buckets: SalesBucket[], pick: (b: SalesBucket) => number): Array<Point & { key: string }> {
  if (buckets.length === 0) return []
  const byKey = new Map(buckets.map((b) => [b.bucket, pick(b)]))
  const first = Date.parse(`${buckets[0]!.bucket}T00:00:00Z`)
  const last = Date.parse(`${buckets[buckets.length - 1]!.bucket}T00:00:00Z`)
  const points = []
  for (let at = Math.max(first, last - 89 * DAY_MS); at <= last; at += DAY_MS) {
    const key = new Date(at).toISOString().slice(0, 10)
    points.push({ key, label: key.slice(5), value: byKey.get(key) ?? 0 })
  }
  return points
}

