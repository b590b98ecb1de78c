/**
 * Cross-site request forgery: unsafe form submissions (HTMX ones included) must come from this origin,
 * by Origin or Sec-Fetch-Site (Hono's csrf middleware), on top of SameSite=Lax session cookies.
 * JSON bodies cannot be sent cross-site without a CORS preflight, so machine callers are unaffected.
 */
import { csrf } from 'hono/csrf'
import { HTTPException } from 'hono/http-exception'
import { DomainError } from './errors.tsx'
import { factory } from './factory.ts'

const check = csrf()

export const csrfProtection = factory.createMiddleware(async (c, next) => {
  try {
    await check(c, async () => {})
  } catch (error) {
    if (error instanceof HTTPException && error.status === 403) throw new DomainError(403, 'csrf', 'error.csrf')
    throw error
  }
  await next()
})
