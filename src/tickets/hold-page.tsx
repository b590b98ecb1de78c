/**
 * The buyer's hold page and the hold its URL names (with the token from the buyer's cookie). The hold
 * routes and the checkout routes both render it, so it lives here rather than in a route module.
 */
import type { Context } from 'hono'
import { getCookie } from 'hono/cookie'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { HoldPage } from '../../views/tickets/hold-page.tsx'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { findEventSlug } from '../events/queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { renderPage } from '../http/render.tsx'
import { localPhone } from '../lib/phone.ts'
import { latestPaymentOf, paymentJson } from '../payments/checkout-service.ts'
import { findReservation } from './reservations.ts'

/** How a hold's cookies are set. */
export const HOLD_COOKIE_OPTIONS = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' } as const

/** The HttpOnly cookie that carries a hold's token; never in a URL. */
export const holdCookie = (id: string) => `__Host-hold-${id}`

/** The hold the URL names, with its token from the buyer's cookie; a 404 for anyone else. */
export async function holdOf(c: Context<AppEnv>) {
  const id = z.uuid().safeParse(c.req.param('id'))
  const token = id.success ? getCookie(c, holdCookie(id.data)) : undefined
  if (!id.success || !token) throw new NotFoundError()
  return { id: id.data, token }
}

export interface HoldPageExtras {
  notice?: string
  phone?: string
  email?: string
  channel?: string
  payError?: string
  status?: ContentfulStatusCode
}

/** The hold page: the hold, its payment (form, prompt pending, problem) or, once paid, the tickets. */
export async function showHold(c: Context<AppEnv>, hold: { id: string; token: string }, extras: HoldPageExtras = {}) {
  const reservation = await findReservation(c.var.db, hold.id, hold.token, c.var.now)
  if (!reservation) throw new NotFoundError()
  const { eventSlug, payment } = await withContext(c.var.db, SYSTEM, async (trx) => ({
    eventSlug: await findEventSlug(trx, reservation.eventId),
    payment: await latestPaymentOf(trx, reservation.id),
  }))
  c.header('Cache-Control', 'no-store')
  return renderPage(c, {
    title: c.var.t('hold.title'),
    status: extras.status,
    // the countdown of a hold, the polling of a pending payment
    scripts: reservation.status === 'held' || payment?.status === 'pending' ? ['tikiti'] : [],
    body: <HoldPage t={c.var.t} lang={c.var.lang} reservation={reservation} now={c.var.now}
      eventPath={eventSlug !== undefined ? `/events/${eventSlug}` : '/events'} notice={extras.notice}
      payment={payment ? paymentJson(payment) : undefined} payError={extras.payError}
      simulatedPhoneUrl={c.var.config.simulatedPhoneUrl}
      phone={extras.phone ?? localPhone(payment?.mpesa_phone ?? c.var.user?.phone ?? null)}
      email={extras.email ?? payment?.buyer_email ?? undefined} channel={extras.channel ?? payment?.notify_channel ?? undefined} />,
  })
}
