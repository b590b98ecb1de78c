/**
 * The one error shape of the JSON API, `{"error":{"code","message"}}`, with its schema for the OpenAPI
 * document, and the reservation token a call is made with. Every JSON error answer is built here.
 */
import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from './app-env.ts'
import type { MessageKey } from '../i18n/index.ts'

export interface ApiErrorDetails {
  /** Placeholders of the catalog message. */
  params?: Record<string, string | number>
  /** For invalid input: which field was wrong, and how. */
  fields?: Record<string, string>
  /** For a 500: the reference the caller can quote (the request id of the log line). */
  requestId?: string
}

/** `{"error":{"code","message"}}`, the message in the caller's language. */
export function apiError<S extends ContentfulStatusCode, E extends AppEnv = AppEnv>(
  c: Context<E>,
  status: S,
  code: string,
  key: MessageKey,
  details: ApiErrorDetails = {},
) {
  const { params, ...extra } = details
  return c.json({ error: { code, message: c.var.t(key, params), ...extra } }, status)
}

/** 404 `not_found`: no such thing, or not the caller's (they are not told which). */
export function apiNotFound<E extends AppEnv>(c: Context<E>) {
  return apiError(c, 404, 'not_found', 'api.notFound')
}

/** The schema of every error answer, for the OpenAPI document. */
export const apiErrorSchema = z.object({
  error: z.object({
    code: z.string().openapi({ description: 'Stable, for programs: `not_found`, `invalid_request`, `sold_out`…' }),
    message: z.string().openapi({ description: 'For people, in the language of `Accept-Language` (English or Swahili).' }),
    fields: z.record(z.string(), z.string()).optional().openapi({ description: 'Invalid input: the field and what is wrong with it.' }),
    requestId: z.string().optional().openapi({ description: 'On a 500: a reference to quote.' }),
  }),
}).openapi('Error')

/**
 * The `Authorization: Bearer …` header of routes that take a reservation's token; once validated, the
 * token itself. Routes refuse a missing or malformed one as they refuse a wrong one (404).
 */
export const reservationTokenHeader = z.object({
  authorization: z.string().regex(/^Bearer [A-Za-z0-9_-]{1,100}$/).transform((value) => value.slice('Bearer '.length))
    .openapi({ description: 'The reservation’s token: `Bearer …` (the reservationToken security scheme).' }),
})
