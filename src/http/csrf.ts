/**
 * Cross-site request forgery. The rule: an unsafe request (anything but GET, HEAD, OPTIONS) that
 * carries one of our `__Host-` cookies (the session, a hold's token), or whose body is of a type a
 * cross-site form can send (url-encoded, multipart, text/plain, or none), must come from our own pages:
 * its Origin is the configured public origin, or the browser says `Sec-Fetch-Site: same-origin`.
 * Whatever the content type: a JSON body with our session cookie is checked as a form is.
 *
 * Machine callers (Daraja's callbacks, QStash deliveries, the JSON API with a bearer token) send JSON
 * and no cookie of ours, so nothing here stands in their way; they prove themselves otherwise (a secret
 * in the URL, a signature, a token). The Origin is compared with configuration, never with the Host
 * header, which whoever forges the request also sets. SameSite=Lax session cookies come on top.
 */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv } from './app-env.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { factory } from './factory.ts'
import { publicOrigin } from './public-origin.ts'

const SAFE_METHOD = /^(GET|HEAD|OPTIONS)$/
// The types a cross-site <form> (or a "simple" fetch) can send without a CORS preflight; none counts too.
const FORM_TYPE = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/(?:plain|ping))\b/i

function carriesOurCookie(c: Context<AppEnv>): boolean {
  return Object.keys(getCookie(c)).some((name) => name.startsWith('__Host-'))
}

function fromOurPages(c: Context<AppEnv>): boolean {
  if (c.req.header('sec-fetch-site') === 'same-origin') return true
  const origin = c.req.header('origin')
  const ours = publicOrigin(c)
  return origin !== undefined && ours !== undefined && origin === ours
}

export const csrfProtection = factory.createMiddleware(async (c, next) => {
  if (!SAFE_METHOD.test(c.req.method)) {
    const formLike = FORM_TYPE.test(c.req.header('content-type') ?? 'text/plain')
    if ((formLike || carriesOurCookie(c)) && !fromOurPages(c)) throw new DomainError(403, 'csrf', 'error.csrf')
  }
  await next()
})
