/**
 * One JSON line per request. Only the path is logged, never the query string, headers, cookies or
 * bodies: those can carry tokens and personal data.
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
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    }))
  })
}
