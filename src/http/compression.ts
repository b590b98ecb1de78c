/**
 * Gzip for responses. Pages and JSON are whole strings by the time they leave a route, so they are compressed
 * in one synchronous call of the runtime's gzip (AppDeps.gzip; Deno passes node:zlib's); anything else (CSV
 * exports that stream, files) goes through Hono's compress and its CompressionStream. In a flash sale's queue
 * the stream's set-up and chunked writes came to about 15 % of the server's CPU, twice what one call costs.
 *
 * A crowd is mostly served the same few pages (a queue's "every ticket is held" page, an event page), so the
 * gzip of a body is remembered, keyed by the body itself, for the last RECENT_BODIES bodies up to
 * RECENT_BODY_BYTES: the same bytes in are the same bytes out, and a page made for one browser (a nonce, a
 * name) only ever matches itself.
 */
import type { MiddlewareHandler } from 'hono'
import { compress } from 'hono/compress'
import { RecentlyUsed } from '../lib/recently-used.ts'

/** A synchronous gzip of a whole body. */
export type Gzip = (bytes: Uint8Array) => Uint8Array

/** Below this, gzip saves less than its header costs on the wire (Hono's threshold too). */
const THRESHOLD_BYTES = 1024
const WHOLE_BODIES = /^(?:text\/html|application\/(?:problem\+)?json)\b/i
/** Statuses whose responses have no body (Fetch: a null body status). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304])
const CHARSET = /;\s*charset="?([^";\s]+)/i
/** Bodies read here as text: UTF-8 (what the app writes), or with no charset named (JSON); others go to the stream. */
const readsAsText = (type: string) => (CHARSET.exec(type)?.[1] ?? 'utf-8').toLowerCase() === 'utf-8'
const encoder = new TextEncoder()
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i

/** Whether the client takes gzip: named (or `*`) without q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false
  return header.split(',').some((part) => {
    const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase())
    if (name !== 'gzip' && name !== '*') return false
    const q = params.find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

/** How many recent bodies' gzip is kept, and the largest body kept. */
export const RECENT_BODIES = 64
export const RECENT_BODY_BYTES = 32 * 1024

/** `gzip`, answering a body seen among the last RECENT_BODIES from memory. */
export function rememberingGzip(gzip: Gzip): (body: string) => Uint8Array<ArrayBuffer> {
  const recent = new RecentlyUsed<string, Uint8Array<ArrayBuffer>>(RECENT_BODIES)
  return (body) => {
    const known = recent.get(body)
    if (known) return known
    const zipped = gzip(encoder.encode(body)) as Uint8Array<ArrayBuffer>
    if (body.length <= RECENT_BODY_BYTES) recent.set(body, zipped)
    return zipped
  }
}

export function compression(gzip?: Gzip): MiddlewareHandler {
  const streamed = compress()
  if (!gzip) return streamed
  const zip = rememberingGzip(gzip)
  return (c, next) => streamed(c, async () => {
    await next()
    const res = c.res
    // (not `res.body`: on Deno that turns the string a page was made from into a stream, to be read back slowly)
    const type = res.headers.get('Content-Type') ?? ''
    if (NULL_BODY_STATUSES.has(res.status) || !WHOLE_BODIES.test(type) || !readsAsText(type) || res.status === 206 ||
      res.headers.has('Content-Encoding') || c.req.method === 'HEAD' || NO_TRANSFORM.test(res.headers.get('Cache-Control') ?? '')) return
    const vary = res.headers.get('Vary')
    if (!vary) res.headers.set('Vary', 'Accept-Encoding')
    else if (vary !== '*' && !/\baccept-encoding\b/i.test(vary)) res.headers.set('Vary', `${vary}, Accept-Encoding`)
    if (!acceptsGzip(c.req.header('Accept-Encoding'))) return
    const text = await res.text()
    // (a string's length never exceeds its UTF-8 length: a body that may be small is measured in bytes)
    const plain = text.length < THRESHOLD_BYTES ? encoder.encode(text) : undefined
    const small = plain !== undefined && plain.length < THRESHOLD_BYTES
    const body = small ? plain : zip(text)
    // Hono copies every header of the old response onto a new one it sets (again, with their checks); this
    // one has them all already, so the old one is let go first (about a tenth of the CPU in a sale's queue)
    const compressed = new Response(body, res)
    c.res = undefined as unknown as Response
    c.res = compressed
    // with its length known, the streamed compress leaves it be: a small body goes as it is
    c.res.headers.set('Content-Length', String(body.length))
    if (small) return
    c.res.headers.set('Content-Encoding', 'gzip')
    const etag = c.res.headers.get('ETag')
    if (etag && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`)
  })
}
