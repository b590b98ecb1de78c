/**
 * JSON API of transfers, for the ticket's owner signed in (an account, or a guest through their private
 * link): start, confirm with the sender's code, cancel; and for the recipient: accept with the secret
 * from their link and their code.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { apiNotFound } from '../http/api.ts'
import { apiRoutes, json, jsonBody, jsonError, uuidParam } from '../http/openapi.ts'
import { transferDeps } from './transfer-deps.ts'
import { CODE_PATTERN } from './transfer-rules.ts'
import { acceptTransfer, cancelTransfer, confirmTransfer, startTransfer } from './transfer-service.ts'
import { findSenderTransfer } from './transfer-queries.ts'
import { withUserContext } from '../accounts/current-user.ts'

export const transferApiRoutes = apiRoutes({ json: { status: 422, code: 'invalid_request', key: 'transfers.codeFormat' } })

const transferSchema = z.object({
  id: z.uuid(),
  status: z.enum(['pending', 'completed', 'cancelled', 'expired']),
  confirmed: z.boolean().openapi({ description: 'The sender confirmed with their code; the recipient has been sent a link and a code' }),
  expiresAt: z.string().openapi({ description: 'A pending transfer ends here (24 hours after it started)' }),
}).openapi('Transfer')

const codeBody = z.object({ code: z.string().regex(CODE_PATTERN).openapi({ example: '123456' }) })

const startRoute = createRoute({
  method: 'post', path: '/api/v1/tickets/{id}/transfers', tags: ['transfers'],
  summary: 'Start transferring one of your tickets to a phone or email; a 6-digit code goes to you',
  request: { params: z.object({ id: uuidParam('id') }), body: jsonBody(z.object({ to: z.string().max(254).openapi({ example: '0712345678' }) })) },
  responses: {
    201: json(transferSchema, 'Started: the old QR no longer admits; confirm with the code sent to you'),
    404: jsonError('No such ticket of yours (or not signed in)'),
    409: jsonError('The ticket may not move: used, cancelled, listed, after the start, over the event’s limit, transfers off, a fee, or a transfer already in progress'),
    422: jsonError('Not a Kenyan phone or an email (`invalid_recipient`), or your own (`transfer_to_self`)'),
    429: jsonError('Too many transfers started'),
  },
})

/** The transfer as the API shows it to its sender, or undefined. */
async function transferJson(c: Parameters<typeof withUserContext>[0], id: string, userId: string) {
  const row = await withUserContext(c, (trx) => findSenderTransfer(trx, id, userId))
  return row && { id: row.id, status: row.status, confirmed: row.sender_confirmed_at !== null, expiresAt: row.expires_at.toISOString() }
}

transferApiRoutes.openapi(startRoute, async (c) => {
  const user = c.var.user
  if (!user) return apiNotFound(c)
  const id = await startTransfer(transferDeps(c), { ticketId: c.req.valid('param').id, userId: user.id, to: c.req.valid('json').to })
  c.header('Location', `/api/v1/transfers/${id}`)
  const body = await transferJson(c, id, user.id)
  return body ? c.json(body, 201) : apiNotFound(c)
})

const confirmRoute = createRoute({
  method: 'post', path: '/api/v1/transfers/{id}/confirm', tags: ['transfers'],
  summary: 'The sender’s code: once right, the recipient is sent a link and a code',
  request: { params: z.object({ id: uuidParam('id') }), body: jsonBody(codeBody) },
  responses: {
    200: json(transferSchema, 'Confirmed'),
    404: jsonError('No such transfer of yours'),
    409: jsonError('Over, already confirmed, the code expired or used (`code_expired`), or 5 wrong codes (`code_locked`)'),
    422: jsonError('Not six digits, or the wrong code (`wrong_code`, with the attempts left)'),
    429: jsonError('Too many codes from this address'),
  },
})

transferApiRoutes.openapi(confirmRoute, async (c) => {
  const user = c.var.user
  if (!user) return apiNotFound(c)
  const transferId = c.req.valid('param').id
  await confirmTransfer(transferDeps(c), { transferId, userId: user.id, code: c.req.valid('json').code })
  const body = await transferJson(c, transferId, user.id)
  return body ? c.json(body, 200) : apiNotFound(c)
})

const acceptRoute = createRoute({
  method: 'post', path: '/api/v1/transfers/{id}/accept', tags: ['transfers'],
  summary: 'The recipient’s code, with the secret of the link they were sent: the ticket becomes theirs with a new QR',
  request: {
    params: z.object({ id: uuidParam('id') }),
    body: jsonBody(codeBody.extend({ link: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/).openapi({ description: 'The last part of the link in the message' }) })),
  },
  responses: {
    200: json(z.object({ ticketId: z.uuid() }), 'Accepted'),
    404: jsonError('No such transfer waiting for this link'),
    409: jsonError('Over (`transfer_cancelled`, `transfer_expired`, `transfer_completed`), code expired or locked'),
    422: jsonError('Not six digits, or the wrong code'),
    429: jsonError('Too many codes from this address'),
  },
})

transferApiRoutes.openapi(acceptRoute, async (c) => {
  const body = c.req.valid('json')
  const accepted = await acceptTransfer(transferDeps(c), { link: body.link, code: body.code, transferId: c.req.valid('param').id })
  return c.json({ ticketId: accepted.ticketId }, 200)
})

const cancelRoute = createRoute({
  method: 'post', path: '/api/v1/transfers/{id}/cancel', tags: ['transfers'],
  summary: 'Cancel a pending transfer: the ticket stays yours with a new QR version',
  request: { params: z.object({ id: uuidParam('id') }) },
  responses: {
    200: json(transferSchema, 'Cancelled'),
    404: jsonError('No such transfer of yours'),
    409: jsonError('Already over'),
  },
})

transferApiRoutes.openapi(cancelRoute, async (c) => {
  const user = c.var.user
  if (!user) return apiNotFound(c)
  const transferId = c.req.valid('param').id
  await cancelTransfer(transferDeps(c), { transferId, userId: user.id })
  const body = await transferJson(c, transferId, user.id)
  return body ? c.json(body, 200) : apiNotFound(c)
})
