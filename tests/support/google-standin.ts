/**
 * A local stand-in of Google's OAuth endpoints (authorize, token, userinfo), since tests cannot reach
 * Google. It is as strict as Google where sign-in security depends on it: client credentials,
 * redirect_uri, PKCE S256, single-use codes and bearer tokens. Use it as
 * `import * as googleStandin from '../support/google-standin.ts'` and `await googleStandin.start()`.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A Google account as the userinfo endpoint describes it. */
export interface StandinProfile {
  sub: string
  email?: string
  email_verified?: boolean
  name?: string
  picture?: string
}

export type StandinEndpoint = 'authorize' | 'token' | 'userinfo'

export interface GoogleStandin {
  clientId: string
  clientSecret: string
  authorizeUrl: string
  tokenUrl: string
  userinfoUrl: string
  /** GOOGLE_* variables that point `googleOAuthConfigFromEnv` at this stand-in. */
  env: Record<string, string>
  /** A code as if the person had consented; what an authorize request with this challenge would yield. */
  issueCode(profile: StandinProfile, grant: { codeChallenge: string; redirectUri: string }): string
  /** Who the next authorize request signs in as; without one it answers error=access_denied (cancelled). */
  setNextProfile(profile: StandinProfile | null): void
  /** Answers the next request to `endpoint` with this status and raw body instead. */
  failNext(endpoint: StandinEndpoint, status: number, body: string): void
  close(): Promise<void>
}

type Grant = { profile: StandinProfile; codeChallenge: string; redirectUri: string }

// Google's own paths, so a URL of the stand-in reads like the one it replaces.
const PATHS: Record<StandinEndpoint, string> = {
  authorize: '/o/oauth2/v2/auth', token: '/token', userinfo: '/v1/userinfo',
}

// What Google grants for `openid email profile`.
const SCOPE = 'openid https://www.googleapis.com/auth/userinfo.email https://www.googleapis.com/auth/userinfo.profile'
const randomToken = () => randomBytes(32).toString('base64url')
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url')

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers })
  res.end(JSON.stringify(body))
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** Starts the stand-in on 127.0.0.1 at a free port. */
export async function start(options: { clientId?: string; clientSecret?: string } = {}): Promise<GoogleStandin> {
  const clientId = options.clientId ?? 'standin-client.apps.googleusercontent.com'
  const clientSecret = options.clientSecret ?? `GOCSPX-${randomToken()}`
  const codes = new Map<string, Grant>()
  const tokens = new Map<string, StandinProfile>()
  const failures = new Map<StandinEndpoint, { status: number; body: string }>()
  let nextProfile: StandinProfile | null = null

  function issueCode(profile: StandinProfile, grant: { codeChallenge: string; redirectUri: string }): string {
    const code = `4/0${randomToken()}`
    codes.set(code, { profile, ...grant })
    return code
  }

  // Shaped like Google's, but HS256 with the client secret: Google's RS256 keys are not ours to have.
  function idToken(profile: StandinProfile): string {
    const now = Math.floor(Date.now() / 1000)
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const claims = { iss: 'https://accounts.google.com', aud: clientId, azp: clientId, iat: now, exp: now + 3600 }
    const unsigned = `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ ...claims, ...profile })}`
    return `${unsigned}.${createHmac('sha256', clientSecret).update(unsigned).digest('base64url')}`
  }

  function authorize(query: URLSearchParams, res: ServerResponse) {
    const redirectUri = query.get('redirect_uri') ?? ''
    const challenge = query.get('code_challenge') ?? ''
    // Google shows its own error page, never a redirect, for an unknown client or a bad redirect_uri.
    if (query.get('client_id') !== clientId || !URL.canParse(redirectUri)) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('invalid_client or redirect_uri')
      return
    }
    const back = new URL(redirectUri)
    const pkce = query.get('code_challenge_method') === 'S256' && /^[\w-]{43,128}$/.test(challenge)
    if (query.get('response_type') !== 'code' || !pkce) back.searchParams.set('error', 'invalid_request')
    else if (!nextProfile) back.searchParams.set('error', 'access_denied')
    else back.searchParams.set('code', issueCode(nextProfile, { codeChallenge: challenge, redirectUri }))
    nextProfile = null
    if (query.has('state')) back.searchParams.set('state', query.get('state')!)
    res.writeHead(302, { location: back.toString() }).end()
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    if (req.method !== 'POST') return json(res, 405, { error: 'invalid_request' })
    const form = new URLSearchParams(await readBody(req))
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' })
    }
    if (form.get('grant_type') !== 'authorization_code') return json(res, 400, { error: 'unsupported_grant_type' })
    const code = form.get('code') ?? ''
    const grant = codes.get(code)
    if (!grant) return json(res, 400, { error: 'invalid_grant', error_description: 'Malformed auth code.' })
    // Spent on the first attempt, right or wrong, so a code cannot be used to guess verifiers.
    codes.delete(code)
    if (form.get('redirect_uri') !== grant.redirectUri) return json(res, 400, { error: 'redirect_uri_mismatch' })
    if (s256(form.get('code_verifier') ?? '') !== grant.codeChallenge) {
      return json(res, 400, { error: 'invalid_grant', error_description: 'Invalid code verifier.' })
    }
    const accessToken = `ya29.${randomToken()}`
    tokens.set(accessToken, grant.profile)
    json(res, 200, {
      access_token: accessToken, expires_in: 3599, scope: SCOPE, token_type: 'Bearer', id_token: idToken(grant.profile),
    })
  }

  function userinfo(req: IncomingMessage, res: ServerResponse) {
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    const profile = bearer === undefined ? undefined : tokens.get(bearer)
    if (!profile) {
      return json(res, 401, { error: 'invalid_request', error_description: 'Invalid Credentials' },
        { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' })
    }
    json(res, 200, profile)
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const endpoint = (Object.keys(PATHS) as StandinEndpoint[]).find((name) => PATHS[name] === url.pathname)
    if (!endpoint) return json(res, 404, { error: 'not_found' })
    const failure = failures.get(endpoint)
    failures.delete(endpoint)
    if (failure) return res.writeHead(failure.status, { 'content-type': 'application/json' }).end(failure.body)
    if (endpoint === 'authorize') return authorize(url.searchParams, res)
    if (endpoint === 'userinfo') return userinfo(req, res)
    token(req, res).catch(() => json(res, 500, { error: 'internal_failure' }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const [authorizeUrl, tokenUrl, userinfoUrl] = [base + PATHS.authorize, base + PATHS.token, base + PATHS.userinfo]
  return {
    clientId, clientSecret, authorizeUrl, tokenUrl, userinfoUrl,
    env: {
      GOOGLE_CLIENT_ID: clientId, GOOGLE_CLIENT_SECRET: clientSecret,
      GOOGLE_AUTHORIZE_URL: authorizeUrl, GOOGLE_TOKEN_URL: tokenUrl, GOOGLE_USERINFO_URL: userinfoUrl,
    },
    issueCode,
    setNextProfile: (profile) => { nextProfile = profile },
    failNext: (endpoint, status, body) => { failures.set(endpoint, { status, body }) },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeAllConnections()
      await closed
    },
  }
}
