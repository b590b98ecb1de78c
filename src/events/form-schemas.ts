/** The event and ticket-type forms. Messages are catalog keys (see src/http/forms.ts). */
import { z } from 'zod'
import { cleanText } from '../http/text.ts'
import { parseMajorAmount } from '../lib/money.ts'
import { parseNairobiLocal } from '../lib/nairobi-time.ts'

const text = (max: number) => z.string().trim().max(max, 'form.tooLong')
const required = (max: number) => text(max).min(1, 'form.required')
const checkbox = z.string().optional().transform((value) => value === 'on' || value === 'true')

const integer = (min: number, max: number, message: string) =>
  z.string().trim().regex(/^\d+$/, message).transform(Number).refine((n) => n >= min && n <= max, message)

const money = z.string().trim().transform((value, ctx) => {
  const minor = parseMajorAmount(value === '' ? '0' : value)
  if (minor === null) ctx.addIssue({ code: 'custom', message: 'form.price' })
  return minor ?? 0
})

const nairobiTime = (message = 'form.dateTime') => z.string().trim().transform((value, ctx) => {
  const date = parseNairobiLocal(value)
  if (!date) ctx.addIssue({ code: 'custom', message })
  return date ?? new Date(0)
})

const optionalNairobiTime = z.string().trim().optional().transform((value, ctx) => {
  if (!value) return null
  const date = parseNairobiLocal(value)
  if (!date) ctx.addIssue({ code: 'custom', message: 'form.dateTime' })
  return date
})

/** Where the terms live: an https address (nothing else opens safely from a printed ticket), or nothing. */
export const TERMS_URL_MAX = 500
const termsUrl = z.string().optional().transform((value, ctx) => {
  const trimmed = value?.trim() ?? ''
  if (trimmed === '') return null
  if (trimmed.length > TERMS_URL_MAX) {
    ctx.addIssue({ code: 'custom', message: 'form.termsUrlLong' })
    return null
  }
  let url: URL | undefined
  try {
    url = new URL(trimmed)
  } catch {
    url = undefined
  }
  if (!url || url.protocol !== 'https:' || !url.hostname.includes('.') || url.username || url.password || /\s/.test(trimmed)) {
    ctx.addIssue({ code: 'custom', message: 'form.termsUrl' })
    return null
  }
  return url.href.length <= TERMS_URL_MAX ? url.href : trimmed
})

const coordinate = (limit: number) => z.string().trim().optional().transform((value, ctx) => {
  if (!value) return null
  const n = Number(value)
  if (!Number.isFinite(n) || Math.abs(n) > limit) ctx.addIssue({ code: 'custom', message: 'form.coordinate' })
  return n
})

export const eventForm = z.object({
  title: required(160),
  description: text(5000),
  startsAt: nairobiTime(),
  endsAt: optionalNairobiTime,
  venueName: required(160),
  venueAddress: text(300),
  venueCity: required(80),
  latitude: coordinate(90),
  longitude: coordinate(180),
  totalCapacity: integer(1, 1_000_000, 'form.capacity'),
  terms: text(10_000),
  // absent (an older form, an API client) means no link
  termsUrl: termsUrl,
  holdMinutes: integer(1, 60, 'form.holdMinutes'),
  allowTransfers: checkbox,
  allowResale: checkbox,
  maxTransfers: integer(0, 3, 'form.maxTransfers'),
  transferFee: money,
  resalePriceCapPct: integer(50, 300, 'form.resaleCap'),
  // absent (a form from before the field, an API client) keeps no fee; the form always sends it
  resaleFeePct: z.string().optional().transform((value) => value?.trim() || '0').pipe(integer(0, 50, 'form.resaleFee')),
}).refine((form) => !form.endsAt || form.endsAt > form.startsAt, { path: ['endsAt'], message: 'form.endBeforeStart' })

export type EventInput = z.output<typeof eventForm>

export const ticketTypeForm = z.object({
  name: required(80),
  description: text(500),
  price: money,
  capacity: integer(1, 1_000_000, 'form.capacity'),
  maxPerOrder: integer(1, 50, 'form.maxPerOrder'),
  salesStart: optionalNairobiTime,
  salesEnd: optionalNairobiTime,
}).refine((form) => !form.salesStart || !form.salesEnd || form.salesEnd > form.salesStart,
  { path: ['salesEnd'], message: 'form.endBeforeStart' })

export type TicketTypeInput = z.output<typeof ticketTypeForm>

export const statusForm = z.object({
  status: z.enum(['draft', 'published', 'ongoing', 'completed', 'cancelled'], { message: 'form.invalid' }),
})

export const eventSearch = z.object({
  q: z.string().transform(cleanText).pipe(z.string().trim().max(100)).optional().catch(undefined),
  city: z.string().transform(cleanText).pipe(z.string().trim().max(80)).optional().catch(undefined),
})
