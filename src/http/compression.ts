/**
 * Gzip for responses. Pages and JSON are whole strings by the time they leave a route, so they are compressed
 * in one synchronous call of the runtime's gzip (AppDeps.gzip; Deno passes node:zlib's); anything else (CSV
 * exports that stream, files) goes through Hono's compress and its CompressionStream. In a flash sale's queue
 * the stream's set-up and chunked writes came to about 15 % of the server's CPU, twice what one call costs.
 */
import type { MiddlewareHandler } from 'hono'
import { compress } from 'hono/compress'

/** A synchronous gzip of a whole body. */
export type Gzip = (bytes: Uint8Array) => Uint8Array

/** Below this, gzip saves less than its header costs on the wire (Hono's threshold too). */
const THRESHOLD_BYTES = 1024
const WHOLE_BODIES = /^(?:text\/html|application\/(?:problem\+)?json)\b/i
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

export function compression(gzip?: Gzip): MiddlewareHandler {
  const streamed = compress()
  if (!gzip) return streamed
  return (c, next) => streamed(c, async () => {
    await next()
    const res = c.res
    if (!res.body || !WHOLE_BODIES.test(res.headers.get('Content-Type') ?? '') || res.status === 206 ||
      res.headers.has('Content-Encoding') || c.req.method === 'HEAD' || NO_TRANSFORM.test(res.headers.get('Cache-Control') ?? '')) return
    const vary = res.headers.get('Vary')
    if (!vary) res.headers.set('Vary', 'Accept-Encoding')
    else if (vary !== '*' && !/\baccept-encoding\b/i.test(vary)) res.headers.set('Vary', `${vary}, Accept-Encoding`)
    if (!acceptsGzip(c.req.header('Accept-Encoding'))) return
    const bytes = new Uint8Array(await res.arrayBuffer())
    const small = bytes.length < THRESHOLD_BYTES
    const body = small ? bytes : (gzip(bytes) as Uint8Array<ArrayBuffer>)
    c.res = new Response(body, res)
    // with its length known, the streamed compress leaves it be: a small body goes as it is
    c.res.headers.set('Content-Length', String(body.length))
    if (small) return
    c.res.headers.set('Content-Encoding', 'gzip')
    const etag = c.res.headers.get('ETag')
    if (etag && !etag.startsWith('W/')) c.res.headers.set('ETag', `W/${etag}`)
  })
}
