/**
 * Server-side sessions. The browser holds an opaque 256-bit token; the database holds only its SHA-256.
 * Staff and platform admins time out after 30 idle minutes and must sign in again after 12 hours;
 * buyers stay signed in for 30 days but type their password again before sensitive actions.
 */
import { revokeDeviceTokensOf } from '../scanning/devices.ts'
import type { Queryable } from '../db/database.ts'
import type { SessionKind } from '../db/schema.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'

const MINUTE = 60 * 1000
const HOUR = 60 * MINUTE

export const SESSION_POLICY = {
  staff: { absoluteMs: 12 * HOUR, idleSeconds: 30 * 60 },
  buyer: { absoluteMs: 30 * 24 * HOUR, idleSeconds: null },
} as const

/** How recently a password must have been typed before a sensitive action. */
export const REAUTH_WINDOW_MS = 15 * MINUTE
/** last_seen_at is written at most this often, so browsing does not write on every request. */
const TOUCH_EVERY_MS = MINUTE

export interface NewSession {
  userId: string
  kind: SessionKind
  userAgent: string | null
  activeTenantId: string | null
  now: Date
}

/** Starts a session; returns the token for the cookie (never stored) and the session id. */
export async function createSession(db: Queryable, session: NewSession): Promise<{ token: string; id: string }> {
  const token = randomToken(32)
  const policy = SESSION_POLICY[session.kind]
  const row = await db.insertInto('sessions').values({
    user_id: session.userId,
    token_hash: await sha256Hex(token),
    user_agent: session.userAgent?.slice(0, 300) ?? null,
    kind: session.kind,
    idle_timeout_seconds: policy.idleSeconds,
    created_at: session.now,
    last_seen_at: session.now,
    authenticated_at: session.now,
    expires_at: new Date(session.now.getTime() + policy.absoluteMs),
    active_tenant_id: session.activeTenantId,
  }).returning('id').executeTakeFirstOrThrow()
  return { token, id: row.id }
}

/** The live session behind a token, or undefined when unknown, revoked, expired or idle too long. */
export async function findLiveSession(db: Queryable, token: string, now: Date) {
  const session = await db.selectFrom('sessions')
    .select(['id', 'user_id', 'kind', 'last_seen_at', 'expires_at', 'idle_timeout_seconds', 'authenticated_at',
      'active_tenant_id', 'revoked_at'])
    .where('token_hash', '=', await sha256Hex(token))
    .executeTakeFirst()
  if (!session || session.revoked_at || session.expires_at <= now) return undefined
  if (session.idle_timeout_seconds !== null &&
    now.getTime() - session.last_seen_at.getTime() > session.idle_timeout_seconds * 1000) return undefined
  if (now.getTime() - session.last_seen_at.getTime() > TOUCH_EVERY_MS) {
    await db.updateTable('sessions').set({ last_seen_at: now }).where('id', '=', session.id).execute()
  }
  return session
}

export type LiveSession = NonNullable<Awaited<ReturnType<typeof findLiveSession>>>

export function listActiveSessions(db: Queryable, userId: string, now: Date) {
  return db.selectFrom('sessions')
    .select(['id', 'user_agent', 'created_at', 'last_seen_at', 'kind'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('last_seen_at', 'desc')
    .execute()
}

/** Revokes one of the person's own sessions; false when there is no such live session of theirs. */
export async function revokeSession(db: Queryable, userId: string, sessionId: string, now: Date): Promise<boolean> {
  const result = await db.updateTable('sessions').set({ revoked_at: now })
    .where('id', '=', sessionId).where('user_id', '=', userId).where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

/**
 * Ends every session of a person except `keepSessionId` (after a password change or reset), and their
 * scanner phones' device tokens: a token issued to whoever knew the old password must not outlive it.
 * Runs in the platform context (device tokens belong to tenants).
 */
export async function revokeOtherSessions(db: Queryable, userId: string, keepSessionId: string | null, now: Date) {
  let query = db.updateTable('sessions').set({ revoked_at: now })
    .where('user_id', '=', userId).where('revoked_at', 'is', null)
  if (keepSessionId) query = query.where('id', '<>', keepSessionId)
  await query.execute()
  await revokeDeviceTokensOf(db, userId, now)
}

export async function markReauthenticated(db: Queryable, sessionId: string, now: Date) {
  await db.updateTable('sessions').set({ authenticated_at: now, last_seen_at: now }).where('id', '=', sessionId).execute()
}

export async function setActiveTenant(db: Queryable, sessionId: string, tenantId: string) {
  await db.updateTable('sessions').set({ active_tenant_id: tenantId }).where('id', '=', sessionId).execute()
}
