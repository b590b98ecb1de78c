/** The gate's JSON API: check-in, offline sync, undo, the offline manifest and device tokens. */
import { createRoute, z } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { apiError } from '../http/api.ts'
import { apiRoutes, json, jsonBody, jsonError, uuidParam } from '../http/openapi.ts'
import { deviceTokenRequestSchema, deviceTokenSchema, manifestQuery, manifestSchema, scanAnswerSchema, scanRequestSchema,
  syncAnswerSchema, syncRequestSchema, undoRequestSchema } from './api-schemas.ts'
import { recordScan } from './check-in.ts'
import { issueDeviceToken } from './devices.ts'
import { withGate } from './gate-access.ts'
import { buildManifest } from './manifest.ts'
import { syncScans } from './sync.ts'
import { undoAdmission } from './undo.ts'

export const gateApiRoutes = apiRoutes({ json: { status: 422, code: 'invalid_request', key: 'gate.badScan' } })

// 500 scans of the largest shape are under 400 KB: a body far past that is refused before it is parsed
export const GATE_MAX_BODY = 1024 * 1024
const gateBodyLimit = bodyLimit({ maxSize: GATE_MAX_BODY, onError: (c) => apiError(c, 413, 'body_too_large', 'gate.bodyTooLarge') })
gateApiRoutes.use('/api/v1/events/:eventId/scans', gateBodyLimit)
gateApiRoutes.use('/api/v1/events/:eventId/scans/*', gateBodyLimit)

const params = z.object({ eventId: uuidParam('eventId') })
const security = [{ scannerToken: [] }]
const refusals = {
  401: jsonError('No session and no live device token (`unauthenticated`): sign in again, then sync'),
  403: jsonError('Signed in, but not the staff of an organiser'),
  404: jsonError('No such event, or not one this person may scan'),
  415: jsonError('The body is not JSON'),
  422: jsonError('Invalid body (`invalid_request`, with `fields`)'),
}

const scanRoute = createRoute({
  method: 'post', path: '/api/v1/events/{eventId}/scans', tags: ['gate'], security,
  summary: 'Check a scanned code in: admits the ticket once, and records every attempt',
  request: { params, body: jsonBody(scanRequestSchema) },
  responses: { 200: json(scanAnswerSchema, 'The verdict (a repeated `scanId` gets the first one again)'), ...refusals },
})

gateApiRoutes.openapi(scanRoute, async (c) => {
  const body = c.req.valid('json')
  const done = await withGate(c, c.req.valid('param').eventId, (trx, actor) => recordScan(trx, actor, c.req.valid('param').eventId, {
    ...body, scannedAt: new Date(body.scannedAt), deviceInfo: c.req.header('user-agent')?.slice(0, 200),
  }, c.var.now))
  if ('refused' in done) return done.refused as never
  c.header('Cache-Control', 'no-store')
  return c.json(done.value.answer, 200)
})

const syncRoute = createRoute({
  method: 'post', path: '/api/v1/events/{eventId}/scans/sync', tags: ['gate'], security,
  summary: 'Upload scans made offline: recorded as facts, never refused; idempotent by `scanId`',
  request: { params, body: jsonBody(syncRequestSchema) },
  responses: { 200: json(syncAnswerSchema, 'Each scan’s verdict as recorded'), ...refusals },
})

gateApiRoutes.openapi(syncRoute, async (c) => {
  const eventId = c.req.valid('param').eventId
  const scans = c.req.valid('json').scans.map(({ offlineResult, offlineReason, ...scan }) => ({
    ...scan, scannedAt: new Date(scan.scannedAt), deviceInfo: c.req.header('user-agent')?.slice(0, 200),
    offline: { result: offlineResult, reason: offlineReason },
  }))
  const done = await withGate(c, eventId, (trx, actor) => syncScans(trx, actor, eventId, scans, c.var.now))
  if ('refused' in done) return done.refused as never
  return c.json({ results: done.value }, 200)
})

const undoRoute = createRoute({
  method: 'post', path: '/api/v1/events/{eventId}/scans/{scanId}/undo', tags: ['gate'], security,
  summary: 'Undo a mistaken admission: same device and person, within 2 minutes (audited)',
  request: { params: params.extend({ scanId: uuidParam('scanId') }), body: jsonBody(undoRequestSchema) },
  responses: {
    204: { description: 'Undone: the ticket admits again' }, ...refusals,
    409: jsonError('Too late, or already undone (`undo_too_late`)'),
  },
})

gateApiRoutes.openapi(undoRoute, async (c) => {
  const { eventId, scanId } = c.req.valid('param')
  const done = await withGate(c, eventId, (trx, actor) => undoAdmission(trx, actor, {
    eventId, scanId, deviceId: c.req.valid('json').deviceId, now: c.var.now,
  }))
  if ('refused' in done) return done.refused as never
  return c.body(null, 204)
})

const manifestRoute = createRoute({
  method: 'get', path: '/api/v1/events/{eventId}/scanner-manifest', tags: ['gate'], security,
  summary: 'What a scanner needs offline: public keys, and each sold ticket’s QR version and status',
  request: { params, query: manifestQuery },
  responses: { 200: json(manifestSchema, 'The whole list, or with `since` what changed'), ...refusals },
})

gateApiRoutes.openapi(manifestRoute, async (c) => {
  const eventId = c.req.valid('param').eventId
  const since = c.req.valid('query').since
  const done = await withGate(c, eventId, (trx, actor) => buildManifest(trx, {
    tenantId: actor.tenantId, eventId, since: since === undefined ? undefined : Number(since), now: c.var.now,
  }))
  if ('refused' in done) return done.refused as never
  c.header('Cache-Control', 'private, no-store')
  return c.json(done.value, 200)
})

const tokenRoute = createRoute({
  method: 'post', path: '/api/v1/events/{eventId}/scanner-token', tags: ['gate'],
  summary: 'A token for this device, so the gate keeps working when the session lapses (signed-in scanners only)',
  request: { params, body: jsonBody(deviceTokenRequestSchema) },
  responses: { 201: json(deviceTokenSchema, 'The token, shown once'), ...refusals },
})

gateApiRoutes.openapi(tokenRoute, async (c) => {
  // a token is issued only to a session: a device token cannot mint more tokens
  if (c.req.header('authorization')) return apiError(c, 401, 'unauthenticated', 'error.signInRequired') as never
  const body = c.req.valid('json')
  const done = await withGate(c, c.req.valid('param').eventId, (trx, actor) => issueDeviceToken(trx, {
    tenantId: actor.tenantId, userId: actor.userId, deviceId: body.deviceId, label: body.label ?? '', now: c.var.now,
  }))
  if ('refused' in done) return done.refused as never
  c.header('Cache-Control', 'no-store')
  return c.json({ token: done.value.token, expiresAt: done.value.expiresAt.toISOString() }, 201)
})
