/**
 * "Continue with Google". The state and PKCE verifier live in a short-lived, HttpOnly cookie bound to
 * this origin; the callback compares the state in constant time before trading the code.
 * Which account a Google sign-in is (and how linking guards against pre-hijacking): google-accounts.ts.
 */
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { requirePublicOrigin } from '../http/public-origin.ts'
import { constantTimeEqualText } from '../lib/crypto.ts'
import { setSessionCookie } from './current-user.ts'
import { accountDeps } from './deps.ts'
import { signInWithGoogle } from './google-accounts.ts'
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
  const signedIn = await signInWithGoogle(deps, profile)
  setSessionCookie(c, signedIn.token, signedIn.expiresAt)
  return c.redirect('/start', 303)
})
