/**
 * Gzip (src/http/compression.ts): pages and JSON in one synchronous call, with their length; small ones as
 * they are; streamed bodies through the stream; nothing for a client that does not take gzip.
 */
import { Hono } from 'hono'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { acceptsGzip, compression, RECENT_BODIES, rememberingGzip } from '../../src/http/compression.ts'

const page = `<!doctype html><p>${'Tickets left: 10. '.repeat(200)}</p>`

function appWith(gzip?: (bytes: Uint8Array) => Uint8Array) {
  let calls = 0
  const counted = gzip && ((bytes: Uint8Array) => (calls++, gzip(bytes)))
  const app = new Hono()
  app.use(compression(counted))
  app.get('/page', (c) => {
    c.header('ETag', '"abc"')
    return c.html(page)
  })
  app.get('/small', (c) => c.json({ left: 10 }))
  app.get('/csv', (c) => c.body(new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('a,b\n'.repeat(1000)))
      controller.close()
    },
  }), 200, { 'Content-Type': 'text/csv' }))
  // a page for one browser: its own text and its own cookies
  app.get('/mine/:n', (c) => {
    c.header('Set-Cookie', `a=${c.req.param('n')}; Path=/`, { append: true })
    c.header('Set-Cookie', 'b=2; Path=/', { append: true })
    c.header('X-Queue-Status', 'waiting')
    return c.html(`${page}<p>${c.req.param('n')} — café</p>`)
  })
  app.get('/latin', (c) => c.body(new Uint8Array([0x63, 0x61, 0x66, 0xe9, ...new Array(2000).fill(0x20)]), 200, { 'Content-Type': 'text/html; charset=iso-8859-1' }))
  app.get('/unchanged', (c) => c.body(null, 304, { 'Content-Type': 'text/html; charset=UTF-8', ETag: '"abc"' }))
  app.get('/raw', (c) => c.html(page, 200, { 'Cache-Control': 'no-transform' }))
  return { app, calls: () => calls }
}

describe('compression', () => {
  it('gzips a page in one call, with its length, a weak ETag and Vary', async () => {
    const { app, calls } = appWith(gzipSync)
    const res = await app.request('/page', { headers: { 'accept-encoding': 'gzip, deflate, br' } })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect(res.headers.get('content-length')).toBe(String(bytes.length))
    expect(bytes.length).toBeLessThan(page.length / 10)
    expect(gunzipSync(bytes).toString()).toBe(page)
    expect(res.headers.get('etag')).toBe('W/"abc"')
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i)
    expect(calls()).toBe(1)
  })

  it('sends a small body as it is, and nothing compressed to a client that takes no gzip', async () => {
    const { app, calls } = appWith(gzipSync)
    const small = await app.request('/small', { headers: { 'accept-encoding': 'gzip' } })
    expect(small.headers.get('content-encoding')).toBeNull()
    expect(await small.json()).toEqual({ left: 10 })
    for (const accept of [undefined, 'identity', 'gzip;q=0, br;q=0']) {
      const res = await app.request('/page', { headers: accept ? { 'accept-encoding': accept } : {} })
      expect(res.headers.get('content-encoding')).toBeNull()
      expect(await res.text()).toBe(page)
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i)
    }
    const unchanged = await app.request('/unchanged', { headers: { 'accept-encoding': 'gzip' } })
    expect(unchanged.status).toBe(304)
    expect(unchanged.headers.get('content-encoding')).toBeNull()
    expect(unchanged.body).toBeNull()
    // a body in another charset is not read as UTF-8: it goes through the stream, byte for byte
    const latin = await app.request('/latin', { headers: { 'accept-encoding': 'gzip' } })
    expect([...gunzipSync(new Uint8Array(await latin.arrayBuffer())).subarray(0, 4)]).toEqual([0x63, 0x61, 0x66, 0xe9])
    const untouched = await app.request('/raw', { headers: { 'accept-encoding': 'gzip' } })
    expect(untouched.headers.get('content-encoding')).toBeNull()
    expect(calls()).toBe(0)
  })

  it('leaves a streamed body to the stream, and streams everything without a synchronous gzip', async () => {
    const { app, calls } = appWith(gzipSync)
    const csv = await app.request('/csv', { headers: { 'accept-encoding': 'gzip' } })
    expect(csv.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(new Uint8Array(await csv.arrayBuffer())).toString()).toBe('a,b\n'.repeat(1000))
    expect(calls()).toBe(0)
    const streamedOnly = appWith(undefined)
    const res = await streamedOnly.app.request('/page', { headers: { 'accept-encoding': 'gzip' } })
    expect(res.headers.get('content-encoding')).toBe('gzip')
    expect(gunzipSync(new Uint8Array(await res.arrayBuffer())).toString()).toBe(page)
  })

  it('gzips the same body once, and keeps every header and cookie of each response', async () => {
    const { app, calls } = appWith(gzipSync)
    for (const n of ['1', '1', '2', '1']) {
      const res = await app.request(`/mine/${n}`, { headers: { 'accept-encoding': 'gzip' } })
      expect(res.headers.get('content-encoding')).toBe('gzip')
      expect(gunzipSync(new Uint8Array(await res.arrayBuffer())).toString()).toBe(`${page}<p>${n} — café</p>`)
      expect(res.headers.getSetCookie()).toEqual([`a=${n}; Path=/`, 'b=2; Path=/'])
      expect(res.headers.get('x-queue-status')).toBe('waiting')
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    }
    expect(calls()).toBe(2)
  })

  it('remembers only the most recent bodies', () => {
    let calls = 0
    const zip = rememberingGzip((bytes) => (calls++, gzipSync(bytes)))
    const bodies = Array.from({ length: RECENT_BODIES + 1 }, (_, i) => `${page}${i}`)
    for (const body of bodies) zip(body)
    expect(calls).toBe(RECENT_BODIES + 1)
    zip(bodies[RECENT_BODIES]!)
    expect(calls).toBe(RECENT_BODIES + 1)
    // the first was pushed out by the last
    expect(gunzipSync(zip(bodies[0]!)).toString()).toBe(bodies[0])
    expect(calls).toBe(RECENT_BODIES + 2)
    const huge = 'x'.repeat(64 * 1024)
    zip(huge)
    zip(huge)
    expect(calls).toBe(RECENT_BODIES + 4)
  })

  it('reads Accept-Encoding as HTTP says', () => {
    expect(acceptsGzip('gzip')).toBe(true)
    expect(acceptsGzip('br, GZIP;q=0.5')).toBe(true)
    expect(acceptsGzip('*')).toBe(true)
    expect(acceptsGzip('gzip;q=0')).toBe(false)
    expect(acceptsGzip('gzip;q=0.0, br')).toBe(false)
    expect(acceptsGzip('x-gzip, deflate')).toBe(false)
    expect(acceptsGzip(undefined)).toBe(false)
  })
})
