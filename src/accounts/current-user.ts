/**
 * Who is asking: the session cookie resolved to a person, their platform role and their memberships.
 * Sessions are looked up in the platform context because nobody is known yet at that point.
 */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Context } from 'hono'
import type { Queryable } from '../db/database.ts'
import { ANONYMOUS, SYSTEM, withContext, type RequestContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import type { CurrentUser, Membership } from './people.ts'
import { findLiveSession } from './sessions.ts'

/** `__Host-` binds the cookie to this exact origin: Secure, Path=/, no Domain. */
export const SESSION_COOKIE = '__Host-session'

export async function loadMemberships(db: Queryable, userId: string): Promise<Membership[]> {
  const rows = await db.selectFrom('memberships as m')
    .innerJoin('tenants as t', 't.id', 'm.tenant_id')
    .select(['m.tenant_id', 'm.role', 't.name', 't.status'])
    .where('m.user_id', '=', userId)
    .orderBy('m.created_at')
    .execute()
  return rows.map((row) => ({ tenantId: row.tenant_id, tenantName: row.name, tenantStatus: row.status, role: row.role }))
}

async function loadCurrentUser(db: Queryable, token: string, now: Date): Promise<CurrentUser | null> {
  const session = await findLiveSession(db, token, now)
  if (!session) return null
  const user = await db.selectFrom('users')
    .select(['id', 'email', 'name', 'phone', 'role', 'email_verified_at', 'phone_verified_at'])
    .where('id', '=', session.user_id).executeTakeFirst()
  if (!user) return null
  const memberships = await loadMemberships(db, user.id)
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    phone: user.phone,
    role: user.role,
    isSuperAdmin: user.role === 'super_admin',
    emailVerified: user.email_verified_at !== null,
    phoneVerified: user.phone_verified_at !== null,
    memberships,
    activeMembership: memberships.find((m) => m.tenantId === session.active_tenant_id) ?? memberships[0] ?? null,
    session,
  }
}

export const currentUser = factory.createMiddleware(async (c, next) => {
  const token = getCookie(c, SESSION_COOKIE)
  let user: CurrentUser | null = null
  if (token && token.length <= 100) {
    user = await withContext(c.var.db, SYSTEM, (trx) => loadCurrentUser(trx, token, c.var.now))
    if (!user) deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true })
  }
  c.set('user', user)
  await next()
})

export function setSessionCookie(c: Context<AppEnv>, token: string, expires: Date) {
  setCookie(c, SESSION_COOKIE, token, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', expires })
}

export function clearSessionCookie(c: Context<AppEnv>) {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true })
}

/**
 * The database context for this person: platform admins see across tenants; staff see their active
 * tenant; everyone else only what is theirs or public.
 */
export function contextFor(user: CurrentUser | null): RequestContext {
  if (!user) return ANONYMOUS
  if (user.isSuperAdmin) return { role: 'super_admin', userId: user.id }
  if (user.activeMembership) {
    return { role: user.activeMembership.role, tenantId: user.activeMembership.tenantId, userId: user.id }
  }
  return { role: 'buyer', userId: user.id }
}

/** Runs `work` in a transaction with the asking person's context. */
export function withUserContext<T>(c: Context<AppEnv>, work: Parameters<typeof withContext<T>>[2]): Promise<T> {
  return withContext(c.var.db, contextFor(c.var.user), work)
}
