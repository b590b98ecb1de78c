/**
 * Permission checks, applied in handlers' middleware (never only in templates). Anonymous people are
 * sent to sign in (401 under /api/); signed-in people without the right get a 403.
 */
import type { Context } from 'hono'
import { apiError } from '../http/api.ts'
import type { AppEnv } from '../http/app-env.ts'
import { ForbiddenError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import type { CurrentUser, StaffMember } from './people.ts'
import { REAUTH_WINDOW_MS } from './sessions.ts'

function signInFirst(c: Context<AppEnv>) {
  if (c.req.path.startsWith('/api/')) {
    return apiError(c, 401, 'unauthenticated', 'error.signInRequired')
  }
  const next = new URL(c.req.url)
  return c.redirect(`/login?next=${encodeURIComponent(next.pathname + next.search)}`, 303)
}

function guard(allowed: (user: CurrentUser) => boolean) {
  return factory.createMiddleware(async (c, next) => {
    const user = c.var.user
    if (!user) return signInFirst(c)
    if (!allowed(user)) throw new ForbiddenError()
    await next()
  })
}

/** A guard on the active membership; it sets `staff` for the handlers behind it. */
function staffGuard(allowed: (membership: StaffMember['membership']) => boolean) {
  return factory.createMiddleware(async (c, next) => {
    const user = c.var.user
    if (!user) return signInFirst(c)
    const membership = user.activeMembership
    if (!membership || !allowed(membership)) throw new ForbiddenError()
    c.set('staff', {
      user, userId: user.id, tenantId: membership.tenantId, tenantName: membership.tenantName, role: membership.role, membership,
    })
    await next()
  })
}

export const requireSignIn = guard(() => true)
export const requireSuperAdmin = guard((user) => user.isSuperAdmin)
export const requireManager = staffGuard((membership) => membership.role === 'manager')
/** Managers and scanners of the active tenant. */
export const requireStaff = staffGuard(() => true)

/**
 * The person behind requireSignIn or requireSuperAdmin. Reached without one of them it is a mistake in
 * the route's wiring, so it fails loudly instead of acting for nobody.
 */
export function signedInUser(c: Context<AppEnv>): CurrentUser {
  const user = c.var.user
  if (!user) throw new Error('signedInUser: this route is not behind requireSignIn or requireSuperAdmin')
  return user
}

/** The staff member behind requireManager or requireStaff; reached without one of them, a wiring mistake. */
export function staffMember(c: Context<AppEnv>): StaffMember {
  const staff = c.var.staff
  if (!staff) throw new Error('staffMember: this route is not behind requireManager or requireStaff')
  return staff
}

/**
 * Where to come back to after confirming the password: this page for a GET, else the page the form was
 * on (by Referer). A Referer that is not a URL (`http://[`) or names no safe path falls back to /account.
 */
function pathToComeBackTo(c: Context<AppEnv>): string {
  if (c.req.method === 'GET') return safeNextPath(new URL(c.req.url).pathname, '/account')
  const referer = c.req.header('referer')
  if (!referer || !URL.canParse(referer)) return '/account'
  return safeNextPath(new URL(referer).pathname, '/account')
}

/** Sensitive actions ask for the password again when it was last typed more than 15 minutes ago. */
export const requireRecentPassword = factory.createMiddleware(async (c, next) => {
  const user = c.var.user
  if (!user) return signInFirst(c)
  if (c.var.now.getTime() - user.session.authenticated_at.getTime() > REAUTH_WINDOW_MS) {
    return c.redirect(`/account/confirm-password?next=${encodeURIComponent(pathToComeBackTo(c))}`, 303)
  }
  await next()
})

// Browsers drop tabs and line breaks from URLs and read a backslash as a slash, so `/\t/evil.example`
// or `/\\evil.example` would become `//evil.example`, another site; a line break also cannot go in a
// Location header. Such a `next` is refused outright, percent-encoded too, rather than cleaned up.
const UNSAFE_IN_PATH = /[\u0000-\u001f\u007f\\]/
const PROBE_ORIGIN = 'https://tikiti.invalid'

function decodedOnce(text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/**
 * The path as a browser would ask for it: dot segments resolved (`/a/../b` is `/b`, `%2e` counts as a
 * dot), or undefined when it leaves this site. Resolving can turn `/.//evil.example` into
 * `//evil.example`, which a browser reads as another host, so the resolved path is checked again.
 */
function normalisedPath(path: string): string | undefined {
  if (!URL.canParse(path, PROBE_ORIGIN)) return undefined
  const url = new URL(path, PROBE_ORIGIN)
  if (url.origin !== PROBE_ORIGIN || url.pathname.startsWith('//') || UNSAFE_IN_PATH.test(url.pathname)) return undefined
  return url.pathname + url.search + url.hash
}

/**
 * A same-site relative path to go back to after signing in, normalised, or the fallback. Never another
 * site: the path, as typed and percent-decoded once, must resolve to this origin with no dot segment
 * leading to `//`, and contain no control character or backslash. Only the returned value may be
 * redirected to or echoed back into a form.
 */
export function safeNextPath(next: string | undefined, fallback: string): string {
  if (!next || next.length > 500 || !next.startsWith('/') || next.startsWith('//')) return fallback
  const decoded = decodedOnce(next)
  if (decoded === undefined || UNSAFE_IN_PATH.test(next) || UNSAFE_IN_PATH.test(decoded) || decoded.startsWith('//')) {
    return fallback
  }
  // a proxy or framework that decodes before resolving must not find another site either
  if (normalisedPath(decoded) === undefined) return fallback
  return normalisedPath(next) ?? fallback
}
