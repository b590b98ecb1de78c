/**
 * Permission checks, applied in handlers' middleware (never only in templates). Anonymous people are
 * sent to sign in (401 under /api/); signed-in people without the right get a 403.
 */
import type { Context } from 'hono'
import { apiError } from '../http/api.ts'
import type { AppEnv } from '../http/app-env.ts'
import { DomainError } from '../http/errors.tsx'
import { factory } from '../http/factory.ts'
import type { CurrentUser } from './current-user.ts'
import { REAUTH_WINDOW_MS } from './sessions.ts'

export class ForbiddenError extends DomainError {
  constructor() {
    super(403, 'forbidden', 'error.forbidden')
  }
}

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

export const requireSignIn = guard(() => true)
export const requireSuperAdmin = guard((user) => user.isSuperAdmin)
export const requireManager = guard((user) => user.activeMembership?.role === 'manager')
/** Managers and scanners of the active tenant. */
export const requireStaff = guard((user) => user.activeMembership !== null)

/** Sensitive actions ask for the password again when it was last typed more than 15 minutes ago. */
export const requireRecentPassword = factory.createMiddleware(async (c, next) => {
  const user = c.var.user
  if (!user) return signInFirst(c)
  if (c.var.now.getTime() - user.session.authenticated_at.getTime() > REAUTH_WINDOW_MS) {
    const back = c.req.method === 'GET' ? new URL(c.req.url).pathname : (c.req.header('referer') ?? '/account')
    const path = back.startsWith('http') ? new URL(back).pathname : back
    return c.redirect(`/account/confirm-password?next=${encodeURIComponent(path)}`, 303)
  }
  await next()
})

/** A same-site relative path to go back to after signing in, or the fallback. Never another site. */
export function safeNextPath(next: string | undefined, fallback: string): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || next.length > 500) {
    return fallback
  }
  return next
}
