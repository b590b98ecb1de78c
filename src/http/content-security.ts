/**
 * The Content-Security-Policy every response carries, enforced. Nothing loads unless named here:
 * scripts only from our own origin (the versioned files of static/assets/, never inline, never eval),
 * styles only as the inline stylesheets listed below (allowed by hash: inlining saves buyers a round
 * trip on 2G), images from our origin (posters under /media/) and `data:` (the empty favicon). Forms
 * post only to us; nobody may frame a page; no <base>. Trusted Types: DOM sinks (innerHTML, outerHTML,
 * DOMParser…) take only values made by our two policies, `tikiti` (static/assets/tikiti-*.js) and
 * `htmx` (created for htmx by the same file), so injected strings can never become markup.
 */
import type { MiddlewareHandler } from 'hono'
import { encodeBase64 } from 'hono/utils/encode'
import { shellStyles, styles } from '../../views/layout/styles.ts'
import { auditStyles } from '../../views/accounts/audit-page.tsx'
import { dashboardStyles } from '../../views/analytics/dashboard-page.tsx'
import { reconciliationStyles } from '../../views/payments/reconciliation-page.tsx'
import { phoneStyles } from '../../views/payments/simulated-phone.tsx'
import { gateStyles } from '../../views/scanning/gate-page.tsx'

/** HSTS for a year and every subdomain (the browser then never tries plain HTTP). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains'

/** Every stylesheet a page may inline, by content. A new <style> must be added here or it is blocked. */
const INLINE_STYLES = [styles, shellStyles, reconciliationStyles, auditStyles, phoneStyles, gateStyles, dashboardStyles]

async function sha256Source(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return `'sha256-${encodeBase64(digest)}'`
}

/** The policy, from the stylesheets' hashes (computed once, WebCrypto being asynchronous). */
export async function buildContentSecurityPolicy(inlineStyles: readonly string[] = INLINE_STYLES): Promise<string> {
  const styleSources = await Promise.all(inlineStyles.map(sha256Source))
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${styleSources.join(' ')}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types tikiti htmx',
  ].join('; ')
}

let policy: Promise<string> | undefined
/** The policy once built: later requests take it without waiting on the promise. */
let built: string | undefined

/** Sets the policy on every response (pages, fragments, JSON, files), unless a handler set its own. */
export const contentSecurityPolicy: MiddlewareHandler = async function contentSecurityPolicy(c, next) {
  const header = built ??= await (policy ??= buildContentSecurityPolicy())
  await next()
  if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', header)
}
