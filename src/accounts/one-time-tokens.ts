/**
 * Single-use tokens (password resets, email confirmations, phone codes, staff invitations). Only the
 * SHA-256 of a token is stored; consuming one is a single conditional UPDATE, so a token works once even
 * when two requests race.
 */
import type { Queryable } from '../db/database.ts'
import type { TokenPurpose } from '../db/schema.ts'
import { randomToken, sha256Hex } from '../lib/crypto.ts'

export interface TokenRequest {
  purpose: TokenPurpose
  /** Whose token it is, so voidTokens finds it; null when the person may have no account yet. */
  userId: string | null
  /**
   * Binds the secret to `userId`: consuming it then needs that user id too. For short codes people type
   * (signed in); never for links, which are opened by someone nobody knows yet.
   */
  bindToUser?: boolean
  target: string
  forTenantId?: string | null
  metadata?: Record<string, unknown>
  ttlMs: number
  now: Date
  /** A given secret (a short code people type); by default a 256-bit random token. */
  secret?: string
}

function hashSecret(purpose: TokenPurpose, userId: string | null, secret: string): Promise<string> {
  return sha256Hex(`${purpose}:${userId ?? ''}:${secret}`)
}

/** Stores many tokens in one insert (reminders' links); returns their secrets in order. */
export async function issueTokens(db: Queryable, requests: TokenRequest[]): Promise<string[]> {
  if (requests.length === 0) return []
  const secrets = requests.map((request) => request.secret ?? randomToken(32))
  await db.insertInto('one_time_tokens').values(await Promise.all(requests.map(async (request, i) => ({
    purpose: request.purpose,
    token_hash: await hashSecret(request.purpose, request.bindToUser ? request.userId : null, secrets[i]!),
    user_id: request.userId, target: request.target, for_tenant_id: request.forTenantId ?? null, metadata: request.metadata ?? {},
    created_at: request.now, expires_at: new Date(request.now.getTime() + request.ttlMs),
  })))).execute()
  return secrets
}

/** Stores a token and returns its secret, the only copy, to be sent to the person. */
export async function issueToken(db: Queryable, request: TokenRequest): Promise<string> {
  const secret = request.secret ?? randomToken(32)
  await db.insertInto('one_time_tokens').values({
    purpose: request.purpose,
    token_hash: await hashSecret(request.purpose, request.bindToUser ? request.userId : null, secret),
    user_id: request.userId,
    target: request.target,
    for_tenant_id: request.forTenantId ?? null,
    metadata: request.metadata ?? {},
    created_at: request.now,
    expires_at: new Date(request.now.getTime() + request.ttlMs),
  }).execute()
  return secret
}

/**
 * Marks the token used and returns it, or undefined when it is unknown, expired or already used.
 * A secret issued `bindToUser` needs the `userId` it was issued for (codes are short, so they are bound
 * to a person); a link's secret is consumed without one.
 */
export async function consumeToken(db: Queryable, purpose: TokenPurpose, secret: string, now: Date, userId: string | null = null) {
  if (!secret || secret.length > 200) return undefined
  return db.updateTable('one_time_tokens')
    .set({ used_at: now })
    .where('token_hash', '=', await hashSecret(purpose, userId, secret))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst()
}

/** The live (unused, unexpired) token for a secret, without using it up. */
export async function peekToken(db: Queryable, purpose: TokenPurpose, secret: string, now: Date, userId: string | null = null) {
  if (!secret || secret.length > 200) return undefined
  return db.selectFrom('one_time_tokens').selectAll()
    .where('token_hash', '=', await hashSecret(purpose, userId, secret))
    .where('purpose', '=', purpose).where('used_at', 'is', null).where('expires_at', '>', now)
    .executeTakeFirst()
}

/** Voids a person's unused tokens of one purpose (a new reset link replaces the old ones; so does using one). */
export async function voidTokens(db: Queryable, purpose: TokenPurpose, userId: string, now: Date) {
  await db.updateTable('one_time_tokens').set({ used_at: now })
    .where('purpose', '=', purpose).where('user_id', '=', userId).where('used_at', 'is', null).execute()
}

/** Whose a consumed token is; tokens issued before user ids were stored name their person in metadata. */
export function tokenOwner(token: { user_id: string | null; metadata: unknown }): string | undefined {
  return token.user_id ?? (token.metadata as { userId?: string } | null)?.userId
}
