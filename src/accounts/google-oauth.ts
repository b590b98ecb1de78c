/**
 * "Sign in with Google": the OpenID Connect authorization-code flow with PKCE (S256), on fetch and
 * WebCrypto only. The profile comes from the userinfo endpoint, called with the access token we just
 * got from Google's token endpoint over TLS with our secret, so it is about this client's sign-in and
 * the id_token need not be verified at all (it is not read).
 *
 * The caller keeps `state` and `codeVerifier` from {@link startGoogleSignIn} (server-side or in a
 * signed, HttpOnly, short-lived cookie), uses them once, and must compare the callback's `state` with
 * the kept one in constant time (`constantTimeEqualText` of lib/crypto.ts) before calling
 * {@link finishGoogleSignIn}.
 */
import { z } from 'zod'
import { envText, type EnvVars } from '../config.ts'
import { base64Url, randomToken } from '../lib/crypto.ts'
import { webFetch, type FetchFn } from '../lib/fetch.ts'

export interface GoogleOAuthConfig {
  clientId: string
  clientSecret: string
  authorizeUrl: string
  tokenUrl: string
  userinfoUrl: string
}

/** Who signed in. `emailVerified` is only true for a present email Google says it verified. */
export interface GoogleProfile {
  sub: string
  email: string | null
  emailVerified: boolean
  name: string | null
}

export type GoogleSignInErrorReason =
  | 'token_rejected' | 'userinfo_failed' | 'invalid_response' | 'network_error' | 'timeout'

/** A failed sign-in. Messages name statuses and Google's error codes, never codes, tokens or secrets. */
export class GoogleSignInError extends Error {
  constructor(readonly reason: GoogleSignInErrorReason, message: string) {
    super(message)
    this.name = 'GoogleSignInError'
  }
}

const GOOGLE_AUTHORIZE_URL = 'https://accounts.google.com/o/oauth2/v2/auth'
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token'
const GOOGLE_USERINFO_URL = 'https://openidconnect.googleapis.com/v1/userinfo'
const TIMEOUT_MS = 10_000

/** Google sign-in settings, or undefined (sign-in off) unless both client id and secret are set. */
export function googleOAuthConfigFromEnv(vars: EnvVars): GoogleOAuthConfig | undefined {
  const clientId = envText(vars, 'GOOGLE_CLIENT_ID')
  const clientSecret = envText(vars, 'GOOGLE_CLIENT_SECRET')
  if (!clientId || !clientSecret) return undefined
  return {
    clientId,
    clientSecret,
    authorizeUrl: envText(vars, 'GOOGLE_AUTHORIZE_URL') ?? GOOGLE_AUTHORIZE_URL,
    tokenUrl: envText(vars, 'GOOGLE_TOKEN_URL') ?? GOOGLE_TOKEN_URL,
    userinfoUrl: envText(vars, 'GOOGLE_USERINFO_URL') ?? GOOGLE_USERINFO_URL,
  }
}

/** The URL to send the browser to, with the `state` and PKCE `codeVerifier` the callback will need. */
export async function startGoogleSignIn(
  config: GoogleOAuthConfig,
  redirectUri: string,
): Promise<{ url: string; state: string; codeVerifier: string }> {
  // 32 bytes: 256 bits of state, and a 43-character verifier, the shortest RFC 7636 allows.
  const state = randomToken(32)
  const codeVerifier = randomToken(32)
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier))
  const url = new URL(config.authorizeUrl)
  for (const [key, value] of Object.entries({
    client_id: config.clientId, redirect_uri: redirectUri, response_type: 'code', scope: 'openid email profile',
    state, code_challenge: base64Url(new Uint8Array(digest)), code_challenge_method: 'S256', prompt: 'select_account',
  })) url.searchParams.set(key, value)
  return { url: url.toString(), state, codeVerifier }
}

const tokenSchema = z.object({ access_token: z.string().min(1), token_type: z.string().regex(/^bearer$/i) })

const userinfoSchema = z.object({
  sub: z.string().min(1),
  email: z.string().min(1).optional(),
  // Google has sent this as the string "true" on some endpoints.
  email_verified: z.union([z.boolean(), z.enum(['true', 'false'])]).optional(),
  name: z.string().optional(),
})

// Only a plain error code is echoed: error_description and bodies may carry anything.
function errorCode(body: unknown): string | undefined {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined
  if (error === undefined) return undefined
  return typeof error === 'string' && /^[a-z_]{1,64}$/.test(error) ? error : 'unknown'
}

/** One call to a Google endpoint, its JSON answer checked against `schema`. */
async function call<T>(
  fetchFn: FetchFn, what: 'token' | 'userinfo', url: string, init: RequestInit, schema: z.ZodType<T>,
): Promise<T> {
  let res: Response, text: string
  try {
    // No redirects: neither endpoint has a reason to send one, and a bearer token must not follow it.
    res = await fetchFn(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) })
    text = await res.text()
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') {
      throw new GoogleSignInError('timeout', `Google ${what} endpoint did not answer within ${TIMEOUT_MS / 1000} s`)
    }
    throw new GoogleSignInError('network_error', `Google ${what} endpoint could not be reached`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const code = errorCode(body)
  if (!res.ok || code) {
    const reason = what === 'token' ? 'token_rejected' : 'userinfo_failed'
    throw new GoogleSignInError(reason, `Google ${what} endpoint answered ${res.status}${code ? ` (${code})` : ''}`)
  }
  const parsed = schema.safeParse(body)
  if (parsed.success) return parsed.data
  throw new GoogleSignInError('invalid_response', `Google ${what} endpoint answered an unexpected body`)
}

/**
 * Trades the callback's `code` for the signed-in Google profile. Throws {@link GoogleSignInError} on
 * any failure. The caller must already have checked `state` (see the module comment).
 */
export async function finishGoogleSignIn(
  config: GoogleOAuthConfig,
  options: { code: string; redirectUri: string; codeVerifier: string; fetch?: FetchFn },
): Promise<GoogleProfile> {
  const fetchFn: FetchFn = options.fetch ?? webFetch
  const accept = 'application/json'
  const tokens = await call(fetchFn, 'token', config.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code: options.code, redirect_uri: options.redirectUri,
      client_id: config.clientId, client_secret: config.clientSecret, code_verifier: options.codeVerifier,
    }).toString(),
  }, tokenSchema)
  const { sub, email, email_verified, name } = await call(fetchFn, 'userinfo', config.userinfoUrl, {
    headers: { authorization: `Bearer ${tokens.access_token}`, accept },
  }, userinfoSchema)
  return {
    sub,
    email: email ?? null,
    emailVerified: email !== undefined && (email_verified === true || email_verified === 'true'),
    name: name || null,
  }
}
