/**
 * Builds the whole application from its dependencies. The Deno server, the Workers entry and the tests
 * all call this one function; only what they pass in differs.
 */
import { Hono, type MiddlewareHandler } from 'hono'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import type { AppConfig } from './config.ts'
import type { DatabaseProvider } from './db/database.ts'
import { publicEventRoutes } from './events/public-routes.tsx'
import { healthRoutes } from './health/routes.ts'
import type { AppEnv } from './http/app-env.ts'
import { errorHandler, notFound } from './http/errors.tsx'
import { language } from './http/language.ts'
import { requestLog, type LogSink } from './http/request-log.ts'

export interface AppDeps {
  config: AppConfig
  database: DatabaseProvider
  /** Current time; tests inject a fixed clock. */
  clock?: () => Date
  /** Where log lines go (one JSON object per line). */
  log?: LogSink
  /** Serves files of `static/` under /static/ on runtimes that need the app to do it. */
  staticFiles?: MiddlewareHandler<AppEnv>
}

const consoleSink: LogSink = (line) => console.log(line)

export function createApp(deps: AppDeps) {
  const clock = deps.clock ?? (() => new Date())
  const log = deps.log ?? consoleSink
  const app = new Hono<AppEnv>()

  app.use(requestId())
  app.use(async function requestScope(c, next) {
    c.set('config', deps.config)
    c.set('now', clock())
    const lease = deps.database.acquire()
    c.set('db', lease.db)
    try {
      await next()
    } finally {
      const released = lease.release()
      try {
        c.executionCtx.waitUntil(released)
      } catch {
        await released // no execution context outside Workers
      }
    }
  })
  app.use(language)
  app.use(requestLog(log))
  app.use(secureHeaders({ crossOriginEmbedderPolicy: false }))
  if (deps.staticFiles) app.use('/static/*', deps.staticFiles)

  app.route('/', healthRoutes)
  app.route('/', publicEventRoutes)

  app.notFound(notFound)
  app.onError(errorHandler(log))
  return app
}

export type App = ReturnType<typeof createApp>
