/** An export as a download. */
import type { Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import type { BuiltFile } from './export-service.ts'

/** The file as an attachment, never cached (it holds buyers' names and contacts). */
export function sendFile(c: Context<AppEnv>, file: BuiltFile) {
  c.header('Cache-Control', 'private, no-store')
  c.header('Content-Type', file.contentType)
  c.header('Content-Disposition', `attachment; filename="${file.filename}"`)
  c.header('X-Content-Type-Options', 'nosniff')
  return c.body(file.body instanceof Uint8Array ? (file.body as Uint8Array<ArrayBuffer>) : (file.body as ReadableStream<Uint8Array<ArrayBuffer>>))
}

