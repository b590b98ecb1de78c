/**
 * Turning failures into answers: JSON under /api/, an HTML page (or fragment) elsewhere. Services throw
 * domain errors; this is the one place that maps them to HTTP. Unexpected errors become a 500 with a
 * reference the person can quote, and are logged without request data.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { ErrorPage } from '../../views/errors/error-page.tsx'
import { DomainError } from '../lib/domain-errors.ts'
import { apiError, apiNotFound } from './api.ts'
import type { AppEnv } from './app-env.ts'
import { renderPage } from './render.tsx'
import type { LogSink } from './request-log.ts'

function isApi(c: Context<AppEnv>): boolean {
  return c.req.path === '/api' || c.req.path.startsWith('/api/')
}

export function notFound(c: Context<AppEnv>) {
  const t = c.var.t
  if (isApi(c)) return apiNotFound(c)
  return renderPage(c, {
    title: t('error.notFound.title'),
    status: 404,
    body: <ErrorPage t={t} title={t('error.notFound.title')} body={t('error.notFound.body')} />,
  })
}

export function errorHandler(log: LogSink) {
  return (error: Error, c: Context<AppEnv>) => {
    let err = error
    const t = c.var.t
    if (err instanceof DomainError) {
      if (isApi(c)) return apiError(c, err.status, err.code, err.messageKey, { params: err.params })
      const message = t(err.messageKey, err.params)
      if (err.status === 404) return notFound(c)
      return renderPage(c, {
        title: t('error.badRequest.title'),
        status: err.status,
        body: <ErrorPage t={t} title={t('error.badRequest.title')} body={message} />,
      })
    }
    // Postgres "data exception" (SQLSTATE class 22: bad encoding, out-of-range number, over-long
    // value…) means the input was wrong, and the transaction rolled back: a 400, not a 500.
    const sqlState = (err as { code?: unknown })?.code
    if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) {
      err = new HTTPException(400)
    }
    if (err instanceof HTTPException && err.status < 500) {
      if (err.status === 404) return notFound(c)
      if (isApi(c)) return apiError(c, err.status, 'bad_request', 'api.badRequest')
      return renderPage(c, {
        title: t('error.badRequest.title'),
        status: err.status,
        body: <ErrorPage t={t} title={t('error.badRequest.title')} body={t('api.badRequest')} />,
      })
    }
    log(JSON.stringify({
      time: new Date().toISOString(),
      level: 'error',
      msg: 'unhandled error',
      requestId: c.var.requestId,
      error: err?.name,
      code: (err as { code?: unknown })?.code,
      message: err?.message,
    }))
    if (isApi(c)) {
      return apiError(c, 500, 'server_error', 'api.serverError', { requestId: c.var.requestId })
    }
    return renderPage(c, {
      title: t('error.server.title'),
      status: 500,
      body: (
        <ErrorPage t={t} title={t('error.server.title')} body={t('error.server.body')} reference={c.var.requestId} />
      ),
    })
  }
}
