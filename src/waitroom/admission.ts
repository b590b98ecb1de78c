/**
 * Admissions out of the waiting room: a signed, HttpOnly `__Host-` cookie per event, bound to the browser's
 * own random id (the `__Host-holder` cookie the hold form already sets) and to its end. A copied queue URL
 * carries nothing: the place belongs to the browser id, and the admission's MAC covers that id.
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppConfig } from '../config.ts'
import type { AppEnv } from '../http/app-env.ts'
import { base64Url, constantTimeEqualText, hmacSha256, randomToken } from '../lib/crypto.ts'

/** How long an admission lets the browser hold. */
export const ADMISSION_MS = 5 * 60_000
/**
 * Admissions a minute when neither the event nor WAITING_ROOM_ADMISSIONS_PER_MINUTE says: 100 buyers a second,
 * under the slowest app hold rate `npm run bench:flash-sale` measured on these 2 shared cores (124–368 holds/s),
 * so admitted buyers hold without waiting. A deployment measures its own and sets the variable.
 */
export const DEFAULT_ADMISSIONS_PER_MINUTE = 6000

/** The browser's random id, shared with the hold form (src/tickets/hold-routes.tsx). */
export const BROWSER_COOKIE = '__Host-holder'
const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/
const COOKIE_BASE = { path: '/', httpOnly: true, secure: true, sameSite: 'Lax' } as const

// Only outside production: a deployment that runs a waiting room sets its own secret.
const STAND_IN_SECRET = 'waiting-room-development-secret-not-for-production'

export function admissionSecret(config: AppConfig): string {
  if (config.waitingRoomSecret) return config.waitingRoomSecret
  if (config.mode !== 'production') return STAND_IN_SECRET
  throw new Error('WAITING_ROOM_SECRET must be set in production to run a waiting room (at least 32 random characters)')
}

export function admissionsPerMinute(config: AppConfig, eventRate: number | null): number {
  return eventRate ?? config.admissionsPerMinute ?? DEFAULT_ADMISSIONS_PER_MINUTE
}

/** The browser's id, made (and set for 30 days) when it has none or a malformed one. */
export function browserIdOf(c: Context<AppEnv>): string {
  const current = existingBrowserId(c)
  if (current) return current
  const id = newBrowserId()
  keepBrowserId(c, id)
  return id
}

/** A new random browser id; the browser has it once keepBrowserId sets it. */
export function newBrowserId(): string {
  return randomToken(32)
}

/** Sets the browser's id for 30 days. */
export function keepBrowserId(c: Context<AppEnv>, id: string): void {
  setCookie(c, BROWSER_COOKIE, id, { ...COOKIE_BASE, maxAge: 30 * 24 * 3600 })
}

/** The browser's id if it already has one (an admission needs the same browser). */
export function existingBrowserId(c: Context<AppEnv>): string | undefined {
  const current = getCookie(c, BROWSER_COOKIE)
  return current && BROWSER_ID.test(current) ? current : undefined
}

const cookieName = (eventId: string) => `__Host-admit-${eventId}`
const VALUE = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/

async function mac(secret: string, eventId: string, browserId: string, untilMs: number): Promise<string> {
  return base64Url(await hmacSha256(secret, `admission|${eventId}|${browserId}|${untilMs}`))
}

/** Gives the browser its admission to hold for `eventId` until `untilMs`. */
export async function grantAdmission(c: Context<AppEnv>, eventId: string, browserId: string, untilMs: number): Promise<void> {
  const value = `${untilMs}.${await mac(admissionSecret(c.var.config), eventId, browserId, untilMs)}`
  const maxAge = Math.max(1, Math.ceil((untilMs - c.var.now.getTime()) / 1000))
  setCookie(c, cookieName(eventId), value, { ...COOKIE_BASE, maxAge })
}

export function dropAdmission(c: Context<AppEnv>, eventId: string): void {
  deleteCookie(c, cookieName(eventId), { path: '/', secure: true })
}

/** What the browser's admission cookie for the event says: none, valid (until when), ran out, or not ours. */
export type AdmissionCheck = { kind: 'none' } | { kind: 'valid'; untilMs: number } | { kind: 'expired' } | { kind: 'forged' }

export async function readAdmission(c: Context<AppEnv>, eventId: string): Promise<AdmissionCheck> {
  const raw = getCookie(c, cookieName(eventId))
  if (raw === undefined) return { kind: 'none' }
  const parts = VALUE.exec(raw)
  const browserId = existingBrowserId(c)
  if (!parts || !browserId) return { kind: 'forged' }
  const untilMs = Number(parts[1])
  const expected = await mac(admissionSecret(c.var.config), eventId, browserId, untilMs)
  if (!constantTimeEqualText(expected, parts[2]!)) return { kind: 'forged' }
  if (untilMs <= c.var.now.getTime()) return { kind: 'expired' }
  return { kind: 'valid', untilMs }
}
