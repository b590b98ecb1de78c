/**
 * The browser files of `static/assets/`, by versioned name: a new version is a new URL, so browsers may
 * keep each file for a year without asking again. Workers assets serve them (headers in
 * `static/_headers`); Deno serves them through `immutableAssets`. tests/http/static-assets.test.ts
 * checks each file exists, that vendored copies equal node_modules' and that our own names carry their
 * content's hash.
 */
import type { Env, MiddlewareHandler } from 'hono'

export const ASSETS = {
  /** htmx.org's dist/htmx.min.js: the organiser portal's fragment swaps. */
  htmx: '/assets/htmx-4.0.1.min.js',
  /**
   * @alpinejs/csp's dist/cdn.min.js: Alpine's build that evaluates no strings (the standard `alpinejs`
   * build needs 'unsafe-eval', which the policy never allows). For the scanner page's small state.
   */
  alpine: '/assets/alpine-csp-3.17.4.min.js',
  /** Ours: polling, the hold countdown, and htmx's Trusted Types policy. Named by its content's hash. */
  tikiti: '/assets/tikiti-40d333c5da.js',
  /** Ours: the scanner page (camera loop, offline check, encrypted queue, sync). tests/support/gate-assets.mjs names it. */
  gate: '/assets/gate-2d6a5e7112.js',
  /** The scanner page's service worker (scope /scan/, so it is served with Service-Worker-Allowed). */
  gateSw: '/assets/gate-sw-25ed0df189.js',
  /** src/tickets/signed-code.ts with its types stripped: the browser verifies with the server's own code. */
  signedCode: '/assets/signed-code-7a66b1bfcf.js',
  /** Ours: the offline check (manifest merge, verdict), an ES module the page and the tests import. */
  gateCheck: '/assets/gate-check-b51be75194.js',
  /** @noble/curves' Ed25519 behind crypto.subtle: loaded only where WebCrypto has no Ed25519. */
  ed25519: '/assets/ed25519-329fa67cfa.js',
  /** jsQR and a message handler: decodes camera crops where BarcodeDetector cannot read QR codes. */
  gateWorker: '/assets/gate-worker-a68bffd0ff.js',
} as const

export type Asset = keyof typeof ASSETS

/** The scanner's service worker lives under /assets/ but serves the scanner pages. */
export const SERVICE_WORKER_SCOPE = '/scan/'

export const IMMUTABLE = 'public, max-age=31536000, immutable'

/** Wraps a runtime's static file handler: what it finds under /assets/ may be cached for good. */
export function immutableAssets<E extends Env>(serve: MiddlewareHandler<E>): MiddlewareHandler<E> {
  return async function immutableAssetFiles(c, next) {
    const served = await serve(c, next)
    const res = served ?? c.res
    if (res.status === 200 && c.req.path.startsWith('/assets/')) {
      res.headers.set('Cache-Control', IMMUTABLE)
      if (c.req.path.startsWith('/assets/gate-sw-')) res.headers.set('Service-Worker-Allowed', SERVICE_WORKER_SCOPE)
    }
    return served
  }
}
