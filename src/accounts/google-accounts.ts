/**
 * Who a Google sign-in is: the account already linked to that Google account, an existing account with
 * the same gmail.com address (linked now), or a new account.
 *
 * Linking guards against pre-hijacking: someone may have registered the victim's gmail address with a
 * password of their own before the victim ever came. Google proves the victim owns the address, so on
 * linking every other session ends (the squatter's too) and a password set while the address was never
 * confirmed is dropped: only a password whose owner confirmed the address survives. The person can set
 * one again through "forgot password", which mails the address Google just vouched for. (Refusing to
 * link instead would lock the real owner out of their own address.)
 */
import { recordAudit } from '../audit/audit-log.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { findAccountByEmail, normalizeEmail, startSessionFor, type AccountDeps, type SignedIn } from './auth-service.ts'
import type { GoogleProfile } from './google-oauth.ts'
import { revokeOtherSessions } from './sessions.ts'

export async function signInWithGoogle(deps: AccountDeps, profile: GoogleProfile): Promise<SignedIn> {
  return withContext(deps.db, SYSTEM, async (trx) => {
    let user = await trx.selectFrom('users').selectAll().where('google_sub', '=', profile.sub).executeTakeFirst()
    let linked: { passwordDropped: boolean } | undefined
    if (!user) {
      if (!profile.email || !profile.emailVerified) throw new DomainError(400, 'google_unverified', 'auth.googleEmailUnverified')
      const existing = await findAccountByEmail(trx, profile.email)
      // Google vouches for email ownership fully only on its own domain; elsewhere the person signs in
      // with their password instead of having Google take over the account.
      if (existing && !/@gmail\.com$/i.test(profile.email)) throw new DomainError(409, 'email_taken', 'auth.emailTaken')
      if (existing) {
        const passwordDropped = existing.password_hash !== null && existing.email_verified_at === null
        user = await trx.updateTable('users')
          .set({
            google_sub: profile.sub, email_verified_at: existing.email_verified_at ?? deps.now, updated_at: deps.now,
            ...(passwordDropped ? { password_hash: null } : {}),
          })
          .where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
        await revokeOtherSessions(trx, existing.id, null, deps.now)
        linked = { passwordDropped }
      } else {
        user = await trx.insertInto('users').values({
          email: normalizeEmail(profile.email), name: profile.name ?? profile.email, google_sub: profile.sub,
          email_verified_at: deps.now,
        }).returningAll().executeTakeFirstOrThrow()
      }
    }
    await recordAudit(trx, { action: 'login', actorUserId: user.id, metadata: { method: 'google', ...(linked && { linked: true, ...linked }) } })
    return startSessionFor(deps, trx, user)
  })
}
