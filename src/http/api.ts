/** Small pieces every JSON API route uses: its error shape, and the bearer token it was called with. */
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from './app-env.ts'
import type { MessageKey } from '../i18n/index.ts'

/** `{"error":{"code","message"}}`, the message in the caller's language. */
export function apiError(c: Context<AppEnv>, status: ContentfulStatusCode, code: string, key: MessageKey) {
  return c.json({ error: { code, message: c.var.t(key) } }, status)
}

/** The token of `Authorization: Bearer …` (a reservation's token), or undefined. */
export function bearerToken(c: Context<AppEnv>): string | undefined {
  return /^Bearer ([A-Za-z0-9_-]{1,100})$/.exec(c.req.header('authorization') ?? '')?.[1]
}
