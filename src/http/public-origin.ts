/**
 * The site's public origin: where links in emails and WhatsApp messages point, where Daraja and Google
 * call back, and what an unsafe request's Origin must be (src/http/csrf.ts). It comes from
 * configuration, never from the Host header, which anyone can set: PUBLIC_URL, required in production,
 * and `http://localhost:${PORT}` in development (see readConfig in src/config.ts).
 */
import type { Context } from 'hono'
import type { AppEnv } from './app-env.ts'

/**
 * The configured public origin. Only a configuration built by hand in tests (mode `test`, no
 * `publicUrl`) falls back to the request's own origin: tests serve the app on ports they pick at run
 * time. Undefined in any other mode without `publicUrl` (readConfig never builds such a configuration).
 */
export function publicOrigin(c: Context<AppEnv>): string | undefined {
  const { publicUrl, mode } = c.var.config
  if (publicUrl) return publicUrl
  return mode === 'test' ? new URL(c.req.url).origin : undefined
}

/** The public origin where one is needed to go on (a link in a message): a missing one is a server fault. */
export function requirePublicOrigin(c: Context<AppEnv>): string {
  const origin = publicOrigin(c)
  if (!origin) throw new Error('PUBLIC_URL is not configured')
  return origin
}
