/**
 * "Continue with Google". The state and PKCE verifier live in a short-lived, HttpOnly cookie bound to
 * this origin; the callback compares the state in constant time before trading the code.
 * A Google account joins an existing account only through a gmail.com address Google has verified.
 */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { recordAudit } from '../audit/audit-log.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { DomainError, NotFoundError } from '../http/errors.tsx'
import { factory } from '../http/factory.ts'
import { requirePublicOrigin } from '../http/public-origin.ts'
import { constantTimeEqualText } from '../lib/crypto.ts'
import { findAccountByEmail, normalizeEmail, startSessionFor } from './auth-service.ts'
import { setSessionCookie } from './current-user.ts'
import { accountDeps } from './deps.ts'
import { finishGoogleSignIn, GoogleSignInError, startGoogleSignIn } from './google-oauth.ts'

const FLOW_COOKIE = '__Host-google-flow'

export const googleRoutes = factory.createApp()

function callbackUrl(origin: string): string {
  return `${origin}/auth/google/callback`
}

googleRoutes.get('/auth/google', async (c) => {
  const google = c.var.services.google
  if (!google) throw new NotFoundError()
  const flow = await startGoogleSignIn(google, callbackUrl(requirePublicOrigin(c)))
  setCookie(c, FLOW_COOKIE, `${flow.state}.${flow.codeVerifier}`,
    { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: 600 })
  return c.redirect(flow.url, 302)
})

googleRoutes.get('/auth/google/callback', async (c) => {
  const google = c.var.services.google
  if (!google) throw new NotFoundError()
  const [state = '', codeVerifier = ''] = (getCookie(c, FLOW_COOKIE) ?? '').split('.')
  deleteCookie(c, FLOW_COOKIE, { path: '/', secure: true })
  const code = c.req.query('code')
  const returnedState = c.req.query('state') ?? ''
  if (!code || !state || !codeVerifier || !constantTimeEqualText(state, returnedState)) {
    throw new DomainError(400, 'google_failed', 'auth.googleFailed')
  }
  const deps = accountDeps(c)
  let profile
  try {
    profile = await finishGoogleSignIn(google, { code, codeVerifier, redirectUri: callbackUrl(deps.origin) })
  } catch (error) {
    if (error instanceof GoogleSignInError) throw new DomainError(400, 'google_failed', 'auth.googleFailed')
    throw error
  }
  const signedIn = await withContext(deps.db, SYSTEM, async (trx) => {
    let user = await trx.selectFrom('users').selectAll().where('google_sub', '=', profile.sub).executeTakeFirst()
    if (!user) {
      if (!profile.email || !profile.emailVerified) throw new DomainError(400, 'google_unverified', 'auth.googleEmailUnverified')
      const existing = await findAccountByEmail(trx, profile.email)
      // Google vouches for email ownership fully only on its own domain; elsewhere the person signs in
      // with their password instead of having Google take over the account.
      if (existing && !/@gmail\.com$/i.test(profile.email)) throw new DomainError(409, 'email_taken', 'auth.emailTaken')
      user = existing
        ? await trx.updateTable('users').set({ google_sub: profile.sub, email_verified_at: existing.email_verified_at ?? deps.now })
          .where('id', '=', existing.id).returningAll().executeTakeFirstOrThrow()
        : await trx.insertInto('users').values({
          email: normalizeEmail(profile.email), name: profile.name ?? profile.email, google_sub: profile.sub,
          email_verified_at: deps.now,
        }).returningAll().executeTakeFirstOrThrow()
    }
    await recordAudit(trx, { action: 'login', actorUserId: user.id, metadata: { method: 'google' } })
    return startSessionFor(deps, trx, user)
  })
  setSessionCookie(c, signedIn.token, signedIn.expiresAt)
  return c.redirect('/start', 303)
})
