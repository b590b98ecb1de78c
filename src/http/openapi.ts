/**
 * /api/v1 on `@hono/zod-openapi`: each route's zod schemas validate its input, type its handler and are
 * its entry in the document served at /api/v1/openapi.json, which is generated from the routes. Input
 * that fails validation is refused here, in the API's one error shape and the caller's language: a 4xx,
 * never a 500, whatever the body (malformed JSON, another content type) or the parameters.
 */
import { createRoute, OpenAPIHono, z, type Hook } from '@hono/zod-openapi'
import { createMiddleware } from 'hono/factory'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { MessageKey } from '../i18n/index.ts'
import { apiError, apiErrorSchema, apiNotFound, reservationTokenHeader } from './api.ts'
import type { AppEnv } from './app-env.ts'

type Target = 'query' | 'param' | 'header' | 'cookie' | 'json' | 'form'

/** How a route refuses input that fails its schema: one answer per part of the request. */
export interface Refusal {
  status: ContentfulStatusCode
  code: string
  key: MessageKey
}

/** A sub-app's refusals for a part of the request, where the default (422 `invalid_request`) says too little. */
export type Refusals = Partial<Record<Target, Refusal>>

const INVALID: Refusal = { status: 422, code: 'invalid_request', key: 'api.badRequest' }

function fieldsOf(error: z.ZodError): Record<string, string> {
  return Object.fromEntries(error.issues.map((issue) => [String(issue.path[0] ?? ''), issue.message]))
}

/**
 * The validation hook. A path id that fails, or a missing or malformed reservation token, answers 404
 * as an unknown id or a wrong token would (so ids are not probed); anything else answers the sub-app's
 * refusal for that part of the request, by default 422 `invalid_request`, with the fields at fault.
 */
function refuseInvalid(overrides: Refusals): Hook<unknown, AppEnv, string, Response | undefined> {
  return (result, c) => {
    if (result.success) return
    const error = result.error as z.ZodError
    const target = result.target as Target
    const unauthorised = target === 'header' && error.issues.some((issue) => issue.path[0] === 'authorization')
    if (target === 'param' || unauthorised) return apiNotFound(c)
    const refusal = overrides[target] ?? INVALID
    return apiError(c, refusal.status, refusal.code, refusal.key, { fields: fieldsOf(error) })
  }
}

/**
 * The validators throw before any hook runs on a body that is not JSON (400) or not of the declared
 * content type (415); those answers become the API's error shape here, after the route has run.
 */
const unreadableBody = createMiddleware<AppEnv>(async (c, next) => {
  await next()
  const error = c.error
  if (!(error instanceof HTTPException)) return
  if (error.status === 400) c.res = apiError(c, 422, 'invalid_request', 'api.unreadableJson')
  else if (error.status === 415) c.res = apiError(c, 415, 'unsupported_media_type', 'api.unsupportedMediaType')
})

/** A sub-app of /api/v1: its routes are documented, and validated with the refusals above and its own. */
export function apiRoutes(refusals: Refusals = {}) {
  return new OpenAPIHono<AppEnv>({ defaultHook: refuseInvalid(refusals) })
}

/** A path segment that is a uuid. */
export const uuidParam = (name: string) =>
  z.uuid().openapi({ param: { name, in: 'path' }, example: '0b6f7a52-3c1e-4f59-9b0a-6a8e1f2d3c4b' })

/** Routes about one thing of a reservation's, named by `{id}` and shown only to the holder of its token. */
export const withReservationToken = {
  security: [{ reservationToken: [] }],
  params: z.object({ id: uuidParam('id') }),
  headers: reservationTokenHeader,
}

/** GET `path`: the thing `{id}` names, for the holder of its reservation's token; 404 for anyone else. */
export function readWithReservationToken<P extends string, S extends z.ZodType>(
  route: { path: P; tag: string; summary: string },
  schema: S,
) {
  return createRoute({
    method: 'get', path: route.path, tags: [route.tag], summary: route.summary,
    security: withReservationToken.security,
    request: { params: withReservationToken.params, headers: withReservationToken.headers },
    responses: {
      200: json(schema, 'The one asked for'),
      404: jsonError('Unknown, or not yours (no token, or a wrong one)'),
    },
  })
}

/** A JSON answer with `schema`. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

/** An error answer in the API's one shape. */
export function jsonError(description: string) {
  return json(apiErrorSchema, description)
}

/** A required JSON body with `schema` (validated; other content types get 415). */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return { required: true, content: { 'application/json': { schema } } }
}

/** Mounts the API's sub-apps and serves their generated description at /api/v1/openapi.json. */
export function openApi(...features: OpenAPIHono<AppEnv>[]) {
  const api = apiRoutes()
  api.use('/api/v1/*', unreadableBody)
  for (const feature of features) api.route('/', feature)
  api.openAPIRegistry.registerComponent('securitySchemes', 'reservationToken', {
    type: 'http', scheme: 'bearer',
    description: 'The token a reservation was created with (in the answer that created it): `Authorization: Bearer …`.',
  })
  api.openAPIRegistry.registerComponent('securitySchemes', 'sessionCookie', {
    type: 'apiKey', in: 'cookie', name: '__Host-session',
    description: 'A signed-in session (an account, or a guest signed in by the private link their tickets came with).',
  })
  api.openAPIRegistry.registerComponent('securitySchemes', 'scannerToken', {
    type: 'http', scheme: 'bearer',
    description: 'A scanner device’s token (`POST /api/v1/events/{eventId}/scanner-token`), or the scanner’s session cookie.',
  })
  api.doc31('/api/v1/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Tikiti API', version: '1.0.0',
      description: 'Events, ticket types and live availability; reservations and their M-Pesa payments. Money is in ' +
        'integer minor units; times are ISO 8601 (UTC). Errors are `{"error":{"code","message"}}`, the message ' +
        'in the language of `Accept-Language` (English or Swahili).',
    },
    servers: [{ url: '/' }],
  })
  return api
}
