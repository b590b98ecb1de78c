import type { Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { requirePublicOrigin } from '../http/public-origin.ts'
import type { TransferDeps } from './transfer-service.ts'

/** What the transfer service needs, taken from the request (pages and API alike). */
export function transferDeps(c: Context<AppEnv>): TransferDeps {
  return {
    db: c.var.db, now: c.var.now, ring: c.var.services.secretKeys, rateLimiter: c.var.services.rateLimiter, lang: c.var.lang,
    origin: requirePublicOrigin(c), clientIp: c.var.services.clientIp(c),
  }
}
