/**
 * Registration, sign-in and password resets. Runs in the platform context: nobody is known yet when
 * these start. Rate limits apply per client address and per account; every outcome is audited.
 */
import { recordAudit } from '../audit/audit-log.ts'
import type { Database, Queryable } from '../db/database.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { SessionKind } from '../db/schema.ts'
import { DomainError, TooManyAttemptsError } from '../lib/domain-errors.ts'
import type { Translator } from '../i18n/index.ts'
import { sha256Hex } from '../lib/crypto.ts'
import type { Lang } from '../i18n/index.ts'
import type { KeyRing } from '../lib/secret-box.ts'
import { enqueueNotification } from '../notifications/outbox.ts'
import type { RateLimiter, RateRule } from '../ratelimit/rate-limiter.ts'
import { consumeToken, issueToken, tokenOwner, voidTokens } from './one-time-tokens.ts'
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from './password.ts'
import { createSession, revokeOtherSessions, SESSION_POLICY } from './sessions.ts'

export interface AccountDeps {
  db: Database
  now: Date
  rateLimiter: RateLimiter
  /** SECRETS_KEYS: the links in messages are sealed at rest with them. */
  secretKeys?: KeyRing
  /** The language of the person asking: their messages go out in it. */
  lang: Lang
  /** Messages go out in the language of the person asking. */
  t: Translator
  /** Absolute origin for links in messages, e.g. https://tikiti.example. */
  origin: string
  /** The client's address, for per-address rate limits (hashed before use). */
  clientIp: string
  userAgent: string | null
}

export const RULES = {
  loginPerAddress: { limit: 50, windowSeconds: 15 * 60 },
  failedLoginsPerAccount: { limit: 10, windowSeconds: 15 * 60 },
  registerPerAddress: { limit: 10, windowSeconds: 60 * 60 },
  resetPerAddress: { limit: 10, windowSeconds: 60 * 60 },
  resetPerAccount: { limit: 3, windowSeconds: 60 * 60 },
  /** Asking again for the email confirmation (the one sent on registering is not counted). */
  verificationResendsPerAccount: { limit: 3, windowSeconds: 60 * 60 },
  /** Staff invitations an organiser sends: each is an email to any address, carrying the organiser's name. */
  invitationsPerTenant: { limit: 30, windowSeconds: 60 * 60 },
} satisfies Record<string, RateRule>

const RESET_TTL_MS = 30 * 60 * 1000
const VERIFY_TTL_MS = 3 * 24 * 3600 * 1000

/** Counts an attempt; throws when the rule is exceeded. Keys are hashed: no addresses or emails stored. */
export async function throttle(deps: Pick<AccountDeps, 'rateLimiter'>, scope: string, subject: string, rule: RateRule) {
  const decision = await deps.rateLimiter.hit(`${scope}:${await sha256Hex(subject)}`, rule)
  if (!decision.allowed) throw new TooManyAttemptsError(decision.retryAfterSeconds)
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

export function findAccountByEmail(db: Queryable, email: string) {
  return db.selectFrom('users').selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', normalizeEmail(email)))
    .where('is_guest', '=', false)
    .executeTakeFirst()
}

async function sessionKindOf(db: Queryable, user: { id: string; role: string }): Promise<SessionKind> {
  if (user.role === 'super_admin') return 'staff'
  const membership = await db.selectFrom('memberships').select('id').where('user_id', '=', user.id).executeTakeFirst()
  return membership ? 'staff' : 'buyer'
}

export interface SignedIn {
  userId: string
  token: string
  expiresAt: Date
}

/** Starts a session with the lifetime that fits the person (staff or buyer). */
export async function startSessionFor(deps: AccountDeps, db: Queryable, user: { id: string; role: string }): Promise<SignedIn> {
  const kind = await sessionKindOf(db, user)
  const session = await createSession(db, {
    userId: user.id, kind, userAgent: deps.userAgent, activeTenantId: null, now: deps.now,
  })
  return { userId: user.id, token: session.token, expiresAt: new Date(deps.now.getTime() + SESSION_POLICY[kind].absoluteMs) }
}

export interface Registration {
  name: string
  email: string
  password: string
  phone: string | null
}

export async function register(deps: AccountDeps, input: Registration): Promise<SignedIn> {
  await throttle(deps, 'register:ip', deps.clientIp, RULES.registerPerAddress)
  const passwordHash = await hashPassword(input.password)
  const signedIn = await withContext(deps.db, SYSTEM, async (trx) => {
    if (await findAccountByEmail(trx, input.email)) throw new DomainError(409, 'email_taken', 'auth.emailTaken')
    const user = await trx.insertInto('users').values({
      email: normalizeEmail(input.email), name: input.name.trim(), phone: input.phone, password_hash: passwordHash,
    }).returning(['id', 'role']).executeTakeFirstOrThrow()
    await recordAudit(trx, { action: 'register', actorUserId: user.id, targetType: 'user', targetId: user.id })
    return startSessionFor(deps, trx, user)
  })
  await sendEmailVerification(deps, signedIn.userId, normalizeEmail(input.email))
  return signedIn
}

/** Sends the email confirmation again when the person asks, at most 3 times an hour per account. */
export async function resendEmailVerification(deps: AccountDeps, userId: string, email: string) {
  await throttle(deps, 'verify-resend:account', userId, RULES.verificationResendsPerAccount)
  await sendEmailVerification(deps, userId, email)
}

export async function sendEmailVerification(deps: AccountDeps, userId: string, email: string) {
  await withContext(deps.db, SYSTEM, async (trx) => {
    await voidTokens(trx, 'email_verification', userId, deps.now)
    const token = await issueToken(trx, { purpose: 'email_verification', userId, target: email, ttlMs: VERIFY_TTL_MS, now: deps.now })
    await enqueueNotification(trx, {
      type: 'email_verification', channel: 'email', email, tenantId: null, userId, lang: deps.lang, now: deps.now, ring: deps.secretKeys,
      secrets: { verifyLink: `${deps.origin}/account/verify-email?token=${token}` },
    })
  })
}

/**
 * Counts an attempt at an account's password before the slow hash is checked, so concurrent guesses
 * cannot all slip in under the limit; a success forgets the count.
 */
async function countPasswordAttempt(deps: Pick<AccountDeps, 'rateLimiter'>, accountKey: string) {
  const attempt = await deps.rateLimiter.hit(accountKey, RULES.failedLoginsPerAccount)
  if (!attempt.allowed) throw new TooManyAttemptsError(attempt.retryAfterSeconds)
}

/** True when `password` matches the stored hash; with none, a dummy is checked at the same cost. */
async function passwordMatches(password: string, stored: string | null | undefined): Promise<boolean> {
  const matches = await verifyPassword(password, stored ?? DUMMY_HASH)
  return matches && !!stored
}

export async function signIn(deps: AccountDeps, email: string, password: string): Promise<SignedIn> {
  await throttle(deps, 'login:ip', deps.clientIp, RULES.loginPerAddress)
  const accountKey = `login:account:${await sha256Hex(normalizeEmail(email))}`
  await countPasswordAttempt(deps, accountKey)

  const user = await withContext(deps.db, SYSTEM, (trx) => findAccountByEmail(trx, email))
  const ok = await passwordMatches(password, user?.password_hash)
  if (!user || !ok) {
    await withContext(deps.db, SYSTEM, (trx) =>
      recordAudit(trx, { action: 'login_failed', actorUserId: user?.id ?? null, metadata: { knownAccount: !!user } }))
    throw new DomainError(401, 'invalid_credentials', 'auth.invalidCredentials')
  }
  await deps.rateLimiter.reset(accountKey)
  const rehash = needsRehash(user.password_hash!) ? await hashPassword(password) : null
  return withContext(deps.db, SYSTEM, async (trx) => {
    if (rehash) await trx.updateTable('users').set({ password_hash: rehash }).where('id', '=', user.id).execute()
    await recordAudit(trx, { action: 'login', actorUserId: user.id, targetType: 'user', targetId: user.id })
    return startSessionFor(deps, trx, user)
  })
}

/** Always looks the same from outside, whether or not the account exists. */
export async function requestPasswordReset(deps: AccountDeps, email: string): Promise<void> {
  await throttle(deps, 'reset:ip', deps.clientIp, RULES.resetPerAddress)
  await throttle(deps, 'reset:account', normalizeEmail(email), RULES.resetPerAccount)
  await withContext(deps.db, SYSTEM, async (trx) => {
    const user = await findAccountByEmail(trx, email)
    if (!user?.email) return
    await voidTokens(trx, 'password_reset', user.id, deps.now)
    const token = await issueToken(trx, {
      purpose: 'password_reset', userId: user.id, target: user.email, ttlMs: RESET_TTL_MS, now: deps.now,
    })
    await enqueueNotification(trx, {
      type: 'password_reset', channel: 'email', email: user.email, tenantId: null, userId: user.id, lang: deps.lang, now: deps.now,
      ring: deps.secretKeys, secrets: { resetLink: `${deps.origin}/password/reset?token=${token}` },
    })
  })
}

/** Sets the new password, voids every other reset link, ends every other session, and signs this browser in. */
export async function resetPassword(deps: AccountDeps, token: string, newPassword: string): Promise<SignedIn> {
  const passwordHash = await hashPassword(newPassword)
  return withContext(deps.db, SYSTEM, async (trx) => {
    const used = await consumeToken(trx, 'password_reset', token, deps.now)
    const userId = used && tokenOwner(used)
    if (!used || !userId) throw new DomainError(400, 'invalid_token', 'auth.reset.invalid')
    // one reset ends them all: an older link in the mailbox must not set the password again
    await voidTokens(trx, 'password_reset', userId, deps.now)
    const user = await trx.updateTable('users').set({ password_hash: passwordHash, updated_at: deps.now })
      .where('id', '=', userId).returning(['id', 'role']).executeTakeFirstOrThrow()
    await revokeOtherSessions(trx, user.id, null, deps.now)
    await recordAudit(trx, { action: 'password_reset', actorUserId: user.id, targetType: 'user', targetId: user.id })
    return startSessionFor(deps, trx, user)
  })
}

/** Checks the signed-in person's password again (before sensitive actions), with the sign-in limits. */
export async function confirmPassword(deps: AccountDeps, userId: string, password: string): Promise<void> {
  const accountKey = `login:account:${await sha256Hex(userId)}`
  await countPasswordAttempt(deps, accountKey)
  const user = await withContext(deps.db, SYSTEM, (trx) =>
    trx.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst())
  if (!(await passwordMatches(password, user?.password_hash))) {
    throw new DomainError(401, 'wrong_password', 'auth.wrongPassword')
  }
  await deps.rateLimiter.reset(accountKey)
}
