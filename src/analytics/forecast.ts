/**
 * The sell-out forecast, stated so an organiser can judge it: a straight-line projection of the recent
 * sales rate. The rate is tickets sold in the last 72 hours per hour; the range comes from the slowest
 * and the fastest of those three days taken alone. No sales in the window: no forecast.
 */
export const FORECAST_WINDOW_HOURS = 72
const DAY_MS = 24 * 3600_000

export interface Forecast {
  kind: 'sold_out' | 'no_recent_sales' | 'projection'
  remaining: number
  /** Tickets per hour over the whole window. */
  ratePerHour: number
  /** The projected sell-out instant at the window's rate, and the range from the slowest and fastest day. */
  at?: Date
  earliest?: Date
  /** Undefined when the slowest day sold nothing (at that pace it never sells out). */
  latest?: Date
  /** The projection lands after the event starts. */
  afterStart?: boolean
}

/** The three 24-hour windows before `now`, oldest first. */
export function forecastWindows(now: Date): Array<[Date, Date]> {
  return [3, 2, 1].map((back) => [new Date(now.getTime() - back * DAY_MS), new Date(now.getTime() - (back - 1) * DAY_MS)])
}

/** `perDay` is the tickets sold in each of forecastWindows(now). */
export function forecastSellOut(remaining: number, perDay: number[], now: Date, startsAt?: Date): Forecast {
  const total = perDay.reduce((sum, count) => sum + count, 0)
  const ratePerHour = total / FORECAST_WINDOW_HOURS
  if (remaining <= 0) return { kind: 'sold_out', remaining: 0, ratePerHour }
  if (total === 0) return { kind: 'no_recent_sales', remaining, ratePerHour: 0 }
  const after = (perHour: number) => new Date(now.getTime() + Math.ceil((remaining / perHour) * 3600_000))
  const fastest = Math.max(...perDay) / 24
  const slowest = Math.min(...perDay) / 24
  const at = after(ratePerHour)
  return {
    kind: 'projection', remaining, ratePerHour, at, earliest: after(fastest),
    latest: slowest > 0 ? after(slowest) : undefined,
    afterStart: startsAt ? at.getTime() > startsAt.getTime() : undefined,
  }
}
