/**
 * PDF tickets: a paid reservation's tickets for the holder of its hold (guests too), one ticket for its
 * signed-in owner. Who may see them is checked before anything is read in the platform context.
 */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import { z } from 'zod'
import { withUserContext } from '../accounts/current-user.ts'
import { requireSignIn, signedInUser } from '../accounts/guards.ts'
import { SYSTEM, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { buildTicketsPdf } from './ticket-pdf-service.ts'
import { findReservation } from './reservations.ts'
import { holdCookie } from './hold-page.tsx'
import { findOwnTicketId } from './ticket-queries.ts'

export const pdfRoutes = factory.createApp()

async function pdfResponse(c: Context<AppEnv>, ticketIds: string[], filename: string) {
  const pdf = await withContext(c.var.db, SYSTEM, (trx) =>
    buildTicketsPdf(trx, c.var.services.blobStore, ticketIds, c.var.lang, () => c.set('logNote', 'ticket_template_unusable')))
  if (!pdf) throw new NotFoundError()
  c.header('Content-Type', 'application/pdf')
  c.header('Content-Disposition', `attachment; filename="${filename}"`)
  c.header('Cache-Control', 'private, no-store')
  return c.body(new Uint8Array(pdf))
}

pdfRoutes.get('/reservations/:id/tickets.pdf', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const token = id.success ? getCookie(c, holdCookie(id.data)) : undefined
  const reservation = id.success && token ? await findReservation(c.var.db, id.data, token, c.var.now) : undefined
  if (!reservation || reservation.status !== 'paid') throw new NotFoundError()
  return pdfResponse(c, (reservation.tickets ?? []).map((ticket) => ticket.id), 'tickets.pdf')
})

pdfRoutes.get('/tickets/:id/pdf', requireSignIn, async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  const mine = await withUserContext(c, (trx) => findOwnTicketId(trx, id.data, signedInUser(c).id))
  if (mine === undefined) throw new NotFoundError()
  return pdfResponse(c, [mine], 'ticket.pdf')
})
