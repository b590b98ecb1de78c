/**
 * One JSON line per request. Only the path is logged, never the query string, headers, cookies or
 * bodies: those can carry tokens and personal data. Long token-like path segments (a callback URL's
 * secret, a signed ticket code) are cut out of the path as well.
 */
import { factory } from './factory.ts'

export type LogSink = (line: string) => void

export function requestLog(sink: LogSink) {
  return factory.createMiddleware(async (c, next) => {
    const started = performance.now()
    await next()
    sink(JSON.stringify({
      time: new Date().toISOString(),
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId: c.var.requestId,
      method: c.req.method,
      path: redactPath(c.req.path),
      status: c.res.status,
      ...(c.var.logNote ? { note: c.var.logNote } : {}),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    }))
  })
}

/** Segments of 40+ token characters are secrets (UUIDs, at 36, stay readable). */
export function redactPath(path: string): string {
  return path.replace(/[A-Za-z0-9_~.-]{40,}/g, '…')
}
