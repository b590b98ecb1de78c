/** Multipart uploads through a TestClient's session, sent as a browser would (same origin, its cookies). */
import type { App } from '../../src/app.ts'
import { ORIGIN, type TestClient } from './client.ts'

/** A `File` of these bytes, with the name and type a browser would claim for it. */
export function fileOf(bytes: Uint8Array, name: string, type: string): File {
  return new File([new Uint8Array(bytes)], name, { type })
}

/**
 * POSTs a multipart form; `fields` values are strings or files. Anonymous when `client` is undefined.
 * The body is streamed without a Content-Length unless `withLength` (as an HTTP/1.1 browser sends it).
 */
export async function postMultipart(app: App, client: TestClient | undefined, path: string,
  fields: Record<string, string | File> = {}, options: { withLength?: boolean } = {}) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  const cookie = client ? [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; ') : ''
  const headers: Record<string, string> = { origin: ORIGIN, cookie }
  let body: FormData | Uint8Array<ArrayBuffer> = form
  if (options.withLength) {
    const encoded = new Response(form)
    body = new Uint8Array(await encoded.arrayBuffer())
    headers['content-type'] = encoded.headers.get('content-type')!
    headers['content-length'] = String(body.byteLength)
  }
  return app.request(path, { method: 'POST', body, headers })
}
