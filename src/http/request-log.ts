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
    const { requestId, logNote } = c.var
    sink(JSON.stringify({
      time: new Date().toISOString(),
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId,
      method: c.req.method,
      path: redactPath(c.req.path),
      status: c.res.status,
      ...(logNote ? { note: logNote } : {}),
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    }))
  })
}

/** Segments of 40+ token characters are secrets (UUIDs, at 36, stay readable). */
export function redactPath(path: string): string {
  return path.replace(/[A-Za-z0-9_~.-]{40,}/g, '…')
}

/** How long log lines wait to be written together, and how many at most. */
export const LOG_BATCH_MS = 100
export const LOG_BATCH_LINES = 500

/**
 * A sink that writes its lines together: every LOG_BATCH_MS, or at LOG_BATCH_LINES, in one `write` (a
 * flash sale's thousands of lines a second cost a write each through console.log, a tenth of the server's
 * CPU). An error line is written at once with those before it, so a crash right after still shows it; `flush`
 * writes what waits (on shutdown). A write that fails is said once on stderr and never thrown.
 */
export function batchedLogSink(write: (text: string) => void): { sink: LogSink; flush: () => void } {
  let lines: string[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  let failed = false
  const flush = () => {
    if (timer !== undefined) clearTimeout(timer)
    timer = undefined
    if (lines.length === 0) return
    const text = `${lines.join('\n')}\n`
    lines = []
    try {
      write(text)
    } catch (error) {
      // a log that cannot be written (a closed pipe) must not fail a request, nor stop the server from a timer
      if (!failed) console.error(`request log lines lost: ${String((error as Error)?.message ?? error)}`)
      failed = true
    }
  }
  const sink: LogSink = (line) => {
    lines.push(line)
    if (lines.length >= LOG_BATCH_LINES || line.includes('"level":"error"')) flush()
    else timer ??= setTimeout(flush, LOG_BATCH_MS)
  }
  return { sink, flush }
}
