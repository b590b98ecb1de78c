/**
 * The buyer's hold, as pages: choose quantities on the event page, see the hold and its time left,
 * release it. The hold's token lives in an HttpOnly `__Host-` cookie, never in a URL.
 */
import type { Context } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { z } from 'zod'
import { HoldPage } from '../../views/tickets/hold-page.tsx'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { ANONYMOUS, SYSTEM, withContext } from '../db/request-context.ts'
import { randomToken } from '../lib/crypto.ts'
import { localPhone } from '../lib/phone.ts'
import { latestPaymentOf, paymentJson } from '../payments/checkout-service.ts'
import { eventPage } from '../events/public-routes.tsx'
import type { AppEnv } from '../http/app-env.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { holdFormSchema } from './reservation-schemas.ts'
import { holdClientKey, holdLimits } from './hold-limits.ts'
import { createReservation, findReservation, releaseReservation } from './reservations.ts'

export const holdRoutes = factory.createApp()

const holdCookie = (id: string) => `__Host-hold-${id}`
/** The browser's own random id: who holds, when neither a user nor an address says so (hold-limits.ts). */
const HOLDER_COOKIE = '__Host-holder'
const cookieOptions = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' } as const

holdRoutes.post('/events/:slug/reserve', async (c) => {
  const slug = c.req.param('slug')
  const form = await readForm(c, holdFormSchema)
  const found = await withContext(c.var.db, ANONYMOUS, (trx) =>
    trx.selectFrom('events').select('id').where('slug', '=', slug).executeTakeFirst())
  if (!found) throw new NotFoundError()
  if (!form.ok) return eventPage(c, slug, { error: c.var.t('hold.noneChosen'), values: form.values }, 422)
  let holder = getCookie(c, HOLDER_COOKIE)
  if (!holder || !/^[A-Za-z0-9_-]{43}$/.test(holder)) {
    holder = randomToken(32)
    setCookie(c, HOLDER_COOKIE, holder, { ...cookieOptions, maxAge: 30 * 24 * 3600 })
  }
  try {
    const { reservation } = await createReservation(c.var.db, {
      eventId: found.id, items: form.data, userId: c.var.user?.id ?? null, now: c.var.now,
      clientKey: await holdClientKey(c, holder), maxOpenHolds: holdLimits(c.var.config).perClient,
    })
    setCookie(c, holdCookie(reservation.id), reservation.token!, { ...cookieOptions, maxAge: 24 * 3600 })
    return c.redirect(`/reservations/${reservation.id}`, 303)
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    const failure = formError(c, error)
    return eventPage(c, slug, { error: failure.errors._form, values: form.values }, failure.status)
  }
})

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
  payError?: string
  status?: ContentfulStatusCode
}

/** The hold page: the hold, its payment (form, prompt pending, problem) or, once paid, the tickets. */
export async function showHold(c: Context<AppEnv>, hold: { id: string; token: string }, extras: HoldPageExtras = {}) {
  const reservation = await findReservation(c.var.db, hold.id, hold.token, c.var.now)
  if (!reservation) throw new NotFoundError()
  const { event, payment } = await withContext(c.var.db, SYSTEM, async (trx) => ({
    event: await trx.selectFrom('events').select('slug').where('id', '=', reservation.eventId).executeTakeFirst(),
    payment: await latestPaymentOf(trx, reservation.id),
  }))
  c.header('Cache-Control', 'no-store')
  return renderPage(c, {
    title: c.var.t('hold.title'),
    status: extras.status,
    // the countdown of a hold, the polling of a pending payment
    scripts: reservation.status === 'held' || payment?.status === 'pending' ? ['tikiti'] : [],
    body: <HoldPage t={c.var.t} lang={c.var.lang} reservation={reservation} now={c.var.now}
      eventPath={event ? `/events/${event.slug}` : '/events'} notice={extras.notice}
      payment={payment ? paymentJson(payment) : undefined} payError={extras.payError}
      simulatedPhoneUrl={c.var.config.simulatedPhoneUrl}
      phone={extras.phone ?? localPhone(payment?.mpesa_phone ?? c.var.user?.phone ?? null)} />,
  })
}

holdRoutes.get('/reservations/:id', async (c) => {
  return showHold(c, await holdOf(c), { notice: c.req.query('notice') === 'released' ? c.var.t('hold.released') : undefined })
})

holdRoutes.post('/reservations/:id/release', async (c) => {
  const { id, token } = await holdOf(c)
  if (!(await releaseReservation(c.var.db, id, token, c.var.now))) throw new DomainError(409, 'not_held', 'hold.expired')
  return c.redirect(`/reservations/${id}?notice=released`, 303)
})

