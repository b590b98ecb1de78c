import type { Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { requirePublicOrigin } from '../http/public-origin.ts'
import type { AccountDeps } from './auth-service.ts'

/** What the account services need, taken from the request. */
export function accountDeps(c: Context<AppEnv>): AccountDeps {
  return {
    db: c.var.db,
    now: c.var.now,
    rateLimiter: c.var.services.rateLimiter,
    secretKeys: c.var.services.secretKeys,
    lang: c.var.lang,
    t: c.var.t,
    origin: requirePublicOrigin(c),
    clientIp: c.var.services.clientIp(c),
    userAgent: c.req.header('user-agent') ?? null,
  }
}
