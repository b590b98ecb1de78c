/**
 * The dashboard's and the exports' filter (`?event=&type=&from=&to=`), read strictly: a bad value is a
 * 400 that says which, never a guess. Days are Nairobi days; `to` is inclusive.
 */
import { z } from 'zod'
import { DomainError } from '../lib/domain-errors.ts'
import { parseNairobiLocal } from '../lib/nairobi-time.ts'

/** The longest range one request may ask for: two years of days. */
export const MAX_RANGE_DAYS = 731
const DAY_MS = 24 * 3600_000

export interface FigureFilter {
  eventId?: string
  ticketTypeId?: string
  /** "2026-03-02", as typed. */
  fromDay?: string
  toDay?: string
  /** Instants: the start of fromDay and the start of the day after toDay, Nairobi time. */
  from?: Date
  to?: Date
}

const blank = (value: unknown) => (value === '' || value == null ? undefined : value)
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/)

const schema = z.object({
  event: z.preprocess(blank, z.uuid().optional()),
  type: z.preprocess(blank, z.uuid().optional()),
  from: z.preprocess(blank, day.optional()),
  to: z.preprocess(blank, day.optional()),
})

function dayStart(text: string, field: string): Date {
  const start = parseNairobiLocal(`${text}T00:00`)
  if (!start) throw new DomainError(400, `invalid_${field}`, 'analytics.filter.badDay')
  return start
}

/** Reads the filter; throws DomainError 400 on a malformed id, an impossible day, a reversed or too long range. */
export function parseFigureFilter(query: Record<string, string | undefined>): FigureFilter {
  const parsed = schema.safeParse({ event: query.event, type: query.type, from: query.from, to: query.to })
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'query')
    throw new DomainError(400, `invalid_${field}`, field === 'from' || field === 'to' ? 'analytics.filter.badDay' : 'analytics.filter.badId')
  }
  const { event, type, from, to } = parsed.data
  const fromAt = from ? dayStart(from, 'from') : undefined
  const toAt = to ? new Date(dayStart(to, 'to').getTime() + DAY_MS) : undefined
  if (fromAt && toAt && fromAt >= toAt) throw new DomainError(400, 'invalid_range', 'analytics.filter.reversed')
  if (fromAt && toAt && toAt.getTime() - fromAt.getTime() > MAX_RANGE_DAYS * DAY_MS) {
    throw new DomainError(400, 'range_too_long', 'analytics.filter.tooLong', { days: MAX_RANGE_DAYS })
  }
  return { eventId: event, ticketTypeId: type, fromDay: from, toDay: to, from: fromAt, to: toAt }
}

/** The filter back as query parameters (links, saved reports). */
export function filterParams(filter: FigureFilter): URLSearchParams {
  const params = new URLSearchParams()
  if (filter.eventId) params.set('event', filter.eventId)
  if (filter.ticketTypeId) params.set('type', filter.ticketTypeId)
  if (filter.fromDay) params.set('from', filter.fromDay)
  if (filter.toDay) params.set('to', filter.toDay)
  return params
}
