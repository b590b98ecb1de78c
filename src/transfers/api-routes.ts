/**
 * JSON API of transfers, for the ticket's owner (src/accounts/ticket-owner.ts: their session, an
 * account's or a guest's signed in by their private link, or the bearer token of the reservation that
 * bought the ticket): start, confirm with the sender's code, pay the fee, follow, cancel; and for the
 * recipient: accept with the secret from their link and their code.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { apiNotFound } from '../http/api.ts'
import { apiRoutes, json, jsonBody, jsonError, uuidParam } from '../http/openapi.ts'
import { transferDeps } from './transfer-deps.ts'
import { CODE_PATTERN } from './transfer-rules.ts'
import { acceptTransfer, cancelTransfer, confirmTransfer, startTransfer } from './transfer-service.ts'
import { payTransferFee, senderTransferView } from './transfer-fees.ts'
import { actingOwner, OWNER_SECURITY, ticketOwnerAuth, withOwnerContext } from '../accounts/ticket-owner.ts'

export const transferApiRoutes = apiRoutes({ json: { status: 422, code: 'invalid_request', key: 'transfers.codeFormat' } })
transferApiRoutes.use('/api/v1/tickets/:id/transfers', ticketOwnerAuth)
transferApiRoutes.use('/api/v1/transfers/*', ticketOwnerAuth)

const transferSchema = z.object({
  id: z.uuid(),
  status: z.enum(['pending', 'completed', 'cancelled', 'expired']),
  confirmed: z.boolean().openapi({ description: 'The sender confirmed with their code; the recipient has been sent a link and a code' }),
  expiresAt: z.string().openapi({ description: 'A pending transfer ends here (24 hours after it started)' }),
  fee: z.object({
    amountMinor: z.number().int(),
    currency: z.string(),
    status: z.enum(['due', 'failed', 'pending', 'paid']).openapi({
      description: 'due: to pay (after confirming); failed: the last attempt failed, pay again; pending: a prompt is on the phone; paid: the recipient has been asked',
    }),
    transactionId: z.uuid().nullable().openapi({ description: 'The latest payment attempt (the one that paid, once paid)' }),
  }).nullable().openapi({ description: 'The event’s transfer fee, paid by the sender with M-Pesa before the recipient is asked; null when there is none' }),
}).openapi('Transfer')

const codeBody = z.object({ code: z.string().regex(CODE_PATTERN).openapi({ example: '123456' }) })

const startRoute = createRoute({
  method: 'post', path: '/api/v1/tickets/{id}/transfers', tags: ['transfers'], security: OWNER_SECURITY,
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
async function transferJson(c: Parameters<typeof withOwnerContext>[0], id: string, userId: string) {
  const view = await withOwnerContext(c, userId, (trx) => senderTransferView(trx, id, userId))
  if (!view) return undefined
  const { transfer: row, fee } = view
  return {
    id: row.id, status: row.status, confirmed: row.sender_confirmed_at !== null, expiresAt: row.expires_at.toISOString(),
    fee,
  }
}

transferApiRoutes.openapi(startRoute, async (c) => {
  const ticketId = c.req.valid('param').id
  const userId = await actingOwner(c, 'ticket', ticketId)
  const id = await startTransfer(transferDeps(c), { ticketId, userId, to: c.req.valid('json').to })
  c.header('Location', `/api/v1/transfers/${id}`)
  const body = await transferJson(c, id, userId)
  return body ? c.json(body, 201) : apiNotFound(c)
})

const confirmRoute = createRoute({
  method: 'post', path: '/api/v1/transfers/{id}/confirm', tags: ['transfers'], security: OWNER_SECURITY,
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
  const transferId = c.req.valid('param').id
  const userId = await actingOwner(c, 'transfer', transferId)
  await confirmTransfer(transferDeps(c), { transferId, userId, code: c.req.valid('json').code })
  const body = await transferJson(c, transferId, userId)
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
  method: 'post', path: '/api/v1/transfers/{id}/cancel', tags: ['transfers'], security: OWNER_SECURITY,
  summary: 'Cancel a pending transfer: the ticket stays yours with a new QR version',
  request: { params: z.object({ id: uuidParam('id') }) },
  responses: {
    200: json(transferSchema, 'Cancelled'),
    404: jsonError('No such transfer of yours'),
    409: jsonError('Already over'),
  },
})

transferApiRoutes.openapi(cancelRoute, async (c) => {
  const transferId = c.req.valid('param').id
  const userId = await actingOwner(c, 'transfer', transferId)
  await cancelTransfer(transferDeps(c), { transferId, userId })
  const body = await transferJson(c, transferId, userId)
  return body ? c.json(body, 200) : apiNotFound(c)
})

const showRoute = createRoute({
  method: 'get', path: '/api/v1/transfers/{id}', tags: ['transfers'], security: OWNER_SECURITY,
  summary: 'One of your transfers: its state, and its fee’s',
  request: { params: z.object({ id: uuidParam('id') }) },
  responses: {
    200: json(transferSchema, 'The transfer'),
    404: jsonError('No such transfer of yours'),
  },
})

transferApiRoutes.openapi(showRoute, async (c) => {
  const transferId = c.req.valid('param').id
  const body = await transferJson(c, transferId, await actingOwner(c, 'transfer', transferId))
  c.header('Cache-Control', 'private, no-store')
  return body ? c.json(body, 200) : apiNotFound(c)
})

const feeRoute = createRoute({
  method: 'post', path: '/api/v1/transfers/{id}/fee', tags: ['transfers'], security: OWNER_SECURITY,
  summary: 'Pay a confirmed transfer’s fee by M-Pesa: an STK Push goes to this phone; once paid, the recipient is sent a link and a code',
  request: { params: z.object({ id: uuidParam('id') }), body: jsonBody(z.object({ phone: z.string().max(20).openapi({ example: '0712345678' }) })) },
  responses: {
    202: json(z.object({ transactionId: z.uuid(), transfer: transferSchema }), 'The prompt is on its way (or already was: a second request answers with the same payment); follow it with GET /api/v1/transfers/{id}'),
    404: jsonError('No such transfer of yours'),
    409: jsonError('No fee due (`no_fee_due`), already paid (`fee_paid`), not confirmed yet (`not_confirmed`), the transfer is over, or M-Pesa is not set up'),
    422: jsonError('Not a Kenyan mobile number (`invalid_phone`)'),
    429: jsonError('Too many failed payments from this phone'),
    503: jsonError('M-Pesa refused the prompt; try again'),
  },
})

transferApiRoutes.openapi(feeRoute, async (c) => {
  const transferId = c.req.valid('param').id
  const userId = await actingOwner(c, 'transfer', transferId)
  const paid = await payTransferFee(transferDeps(c), c.var.services, { transferId, userId, phone: c.req.valid('json').phone })
  const transfer = await transferJson(c, transferId, userId)
  if (!transfer) return apiNotFound(c)
  c.header('Location', `/api/v1/transfers/${transferId}`)
  return c.json({ transactionId: paid.transactionId, transfer }, 202)
})
