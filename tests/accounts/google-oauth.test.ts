import { createHash } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  finishGoogleSignIn, GoogleSignInError, googleOAuthConfigFromEnv, startGoogleSignIn,
  type GoogleOAuthConfig, type GoogleSignInErrorReason,
} from '../../src/accounts/google-oauth.ts'
import type { FetchFn } from '../../src/lib/fetch.ts'
import * as googleStandin from '../support/google-standin.ts'
import type { GoogleStandin, StandinEndpoint, StandinProfile } from '../support/google-standin.ts'

const REDIRECT_URI = 'http://localhost:8000/auth/google/callback'
const AMINA: StandinProfile = {
  sub: '109876543210987654321', email: 'amina@gmail.test', email_verified: true, name: 'Amina Odhiambo',
  picture: 'https://lh3.googleusercontent.test/a/amina',
}

/** Global fetch that also records every request and response body, codes and tokens included. */
function recordingFetch(): { fetch: FetchFn; seen: string[] } {
  const seen: string[] = []
  const record: FetchFn = async (input, init) => {
    if (typeof init.body === 'string') seen.push(init.body)
    const res = await fetch(input, init)
    seen.push(await res.clone().text())
    return res
  }
  return { fetch: record, seen }
}

/** Awaits the failure, then checks its message holds no secret, nor any long value of a recorded body. */
async function failure(promise: Promise<unknown>, reason: GoogleSignInErrorReason, ...secrets: (string | string[])[]) {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  expect(error).toBeInstanceOf(GoogleSignInError)
  const { message } = error as GoogleSignInError
  expect((error as GoogleSignInError).reason, message).toBe(reason)
  for (const secret of secrets.flat()) {
    const pieces = decodeURIComponent(secret.replace(/\+/g, ' ')).split(/[\s&="{}:,]+/)
    for (const piece of pieces.filter((p) => p.length >= 16)) expect(message).not.toContain(piece)
  }
}

describe('Google sign-in', () => {
  let standin: GoogleStandin
  let config: GoogleOAuthConfig
  beforeAll(async () => {
    standin = await googleStandin.start()
    config = googleOAuthConfigFromEnv(standin.env)!
  })
  afterAll(() => standin.close())

  /** What the callback would carry after `profile` consented, with the verifier kept at the start. */
  async function codeFor(profile: StandinProfile) {
    const start = await startGoogleSignIn(config, REDIRECT_URI)
    const codeChallenge = new URL(start.url).searchParams.get('code_challenge')!
    const code = standin.issueCode(profile, { codeChallenge, redirectUri: REDIRECT_URI })
    return { code, codeVerifier: start.codeVerifier, redirectUri: REDIRECT_URI }
  }

  it('sends the browser to Google with the right parameters and an S256 challenge of the verifier', async () => {
    const start = await startGoogleSignIn(config, REDIRECT_URI)
    const url = new URL(start.url)
    expect(`${url.origin}${url.pathname}`).toBe(standin.authorizeUrl)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: standin.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid email profile',
      state: start.state, code_challenge: createHash('sha256').update(start.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256', prompt: 'select_account',
    })
    expect(start.state).toMatch(/^[\w-]{43}$/) // 256 bits, base64url
    expect(start.codeVerifier).toMatch(/^[\w-]{43,128}$/)
    const again = await startGoogleSignIn(config, REDIRECT_URI)
    expect(again.state).not.toBe(start.state)
    expect(again.codeVerifier).not.toBe(start.codeVerifier)
  })

  it('goes through authorize, token and userinfo to the profile', async () => {
    const start = await startGoogleSignIn(config, REDIRECT_URI)
    standin.setNextProfile(AMINA)
    const consent = await fetch(start.url, { redirect: 'manual' })
    expect(consent.status).toBe(302)
    const callback = new URL(consent.headers.get('location')!)
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI)
    expect(callback.searchParams.get('state')).toBe(start.state)
    const code = callback.searchParams.get('code')!
    expect(await finishGoogleSignIn(config, { code, redirectUri: REDIRECT_URI, codeVerifier: start.codeVerifier }))
      .toEqual({ sub: AMINA.sub, email: AMINA.email, emailVerified: true, name: AMINA.name })
    for (const authorization of ['', 'Bearer ya29.forged']) {
      expect((await fetch(standin.userinfoUrl, { headers: { authorization } })).status).toBe(401)
    }
  })

  it('comes back with error=access_denied when the person cancels', async () => {
    const start = await startGoogleSignIn(config, REDIRECT_URI)
    const callback = new URL((await fetch(start.url, { redirect: 'manual' })).headers.get('location')!)
    expect(callback.searchParams.get('error')).toBe('access_denied')
    expect(callback.searchParams.get('code')).toBeNull()
  })

  it('trusts an email only when Google verified it', async () => {
    const unverified = await codeFor({ sub: 'u1', email: 'x@y.test', email_verified: false })
    expect(await finishGoogleSignIn(config, unverified))
      .toEqual({ sub: 'u1', email: 'x@y.test', emailVerified: false, name: null })
    const noEmail = await codeFor({ sub: 'u2', email_verified: true })
    expect(await finishGoogleSignIn(config, noEmail))
      .toEqual({ sub: 'u2', email: null, emailVerified: false, name: null })
  })

  it('is rejected with a wrong verifier or redirect_uri, without leaking the code or secret', async () => {
    const grant = await codeFor(AMINA)
    const wrong = (await startGoogleSignIn(config, REDIRECT_URI)).codeVerifier
    const rec = recordingFetch()
    await failure(finishGoogleSignIn(config, { ...grant, codeVerifier: wrong, fetch: rec.fetch }),
      'token_rejected', grant.code, grant.codeVerifier, wrong, standin.clientSecret, rec.seen)
    const other = await codeFor(AMINA)
    await failure(finishGoogleSignIn(config, { ...other, redirectUri: 'http://evil.test/cb' }),
      'token_rejected', other.code, standin.clientSecret)
  })

  it('refuses a code used twice', async () => {
    const grant = await codeFor(AMINA)
    const rec = recordingFetch()
    expect((await finishGoogleSignIn(config, { ...grant, fetch: rec.fetch })).sub).toBe(AMINA.sub)
    await failure(finishGoogleSignIn(config, grant), 'token_rejected', grant.code, standin.clientSecret, rec.seen)
  })

  it('is rejected with a wrong client secret, without naming either secret', async () => {
    const grant = await codeFor(AMINA)
    const wrongSecret = `GOCSPX-wrong-secret-${'x'.repeat(20)}`
    await failure(finishGoogleSignIn({ ...config, clientSecret: wrongSecret }, grant),
      'token_rejected', grant.code, wrongSecret, standin.clientSecret)
  })

  it('fails when userinfo answers 500, without leaking the access token', async () => {
    const grant = await codeFor(AMINA)
    const rec = recordingFetch()
    standin.failNext('userinfo', 500, '{"error":"backend_error"}')
    await failure(finishGoogleSignIn(config, { ...grant, fetch: rec.fetch }),
      'userinfo_failed', grant.code, standin.clientSecret, rec.seen)
  })

  it('fails on malformed JSON, missing fields or an error in a 200 answer', async () => {
    const cases: [StandinEndpoint, string, GoogleSignInErrorReason][] = [
      ['token', '{"access_token": "ya29.abc', 'invalid_response'],
      ['token', '{"token_type":"Bearer"}', 'invalid_response'],
      ['token', '{"error":"invalid_grant","access_token":"ya29.secret-token-value"}', 'token_rejected'],
      ['userinfo', '<html>Service Unavailable</html>', 'invalid_response'],
      ['userinfo', '{"email":"amina@gmail.test"}', 'invalid_response'],
    ]
    for (const [endpoint, body, reason] of cases) {
      const grant = await codeFor(AMINA)
      standin.failNext(endpoint, 200, body)
      await failure(finishGoogleSignIn(config, grant), reason, grant.code, standin.clientSecret, body)
    }
  })

  it('tells an unreachable endpoint from a timeout, which it asks for', async () => {
    const grant = { code: 'c'.repeat(30), codeVerifier: 'v'.repeat(43), redirectUri: REDIRECT_URI }
    // Nothing listens on port 1; the connection is refused at once.
    await failure(finishGoogleSignIn({ ...config, tokenUrl: 'http://127.0.0.1:1/token' }, grant),
      'network_error', grant.code, standin.clientSecret)
    let signal: AbortSignal | null | undefined
    const hang: FetchFn = async (_input, init) => {
      signal = init.signal
      throw new DOMException('The operation timed out.', 'TimeoutError')
    }
    await failure(finishGoogleSignIn(config, { ...grant, fetch: hang }), 'timeout', grant.code, standin.clientSecret)
    expect(signal).toBeInstanceOf(AbortSignal)
  })
})

describe('googleOAuthConfigFromEnv', () => {
  const both = { GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret' }

  it('is off unless both client id and secret are set', () => {
    const partial = [{}, { GOOGLE_CLIENT_ID: 'id' }, { GOOGLE_CLIENT_SECRET: 'secret' },
      { ...both, GOOGLE_CLIENT_SECRET: '' }, { ...both, GOOGLE_CLIENT_ID: 42 }]
    for (const vars of partial) expect(googleOAuthConfigFromEnv(vars), JSON.stringify(vars)).toBeUndefined()
  })

  it("defaults to Google's endpoints and takes overrides", () => {
    expect(googleOAuthConfigFromEnv(both)).toEqual({
      clientId: 'id', clientSecret: 'secret', authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token', userinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
    })
    const local = googleOAuthConfigFromEnv({ ...both, GOOGLE_TOKEN_URL: 'http://127.0.0.1:9/token' })
    expect(local?.tokenUrl).toBe('http://127.0.0.1:9/token')
  })
})
