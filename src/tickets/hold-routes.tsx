/**
 * The buyer's hold, as pages: choose quantities on the event page, see the hold and its time left,
 * release it. The hold's token lives in an HttpOnly `__Host-` cookie, never in a URL.
 */
import { getCookie, setCookie } from 'hono/cookie'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { randomToken } from '../lib/crypto.ts'
import { eventPage } from '../events/event-page-render.tsx'
import { findEventIdBySlug } from '../events/queries.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm } from '../http/forms.ts'
import { holdFormSchema } from './reservation-schemas.ts'
import { holdClientKey, holdLimits } from './hold-limits.ts'
import { holdGroupCommit } from './hold-group-commit.ts'
import { HOLD_COOKIE_OPTIONS, holdCookie, holdOf, showHold } from './hold-page.tsx'
import { createReservation, releaseReservation } from './reservations.ts'
import { holdGate } from '../waitroom/admission-check.ts'
import { pageForGate } from '../waitroom/refused.tsx'

export const holdRoutes = factory.createApp()

/** The browser's own random id: who holds, when neither a user nor an address says so (hold-limits.ts). */
const HOLDER_COOKIE = '__Host-holder'
const cookieOptions = HOLD_COOKIE_OPTIONS

holdRoutes.post('/events/:slug/reserve', async (c) => {
  const slug = c.req.param('slug')
  const form = await readForm(c, holdFormSchema)
  const eventId = await withContext(c.var.db, ANONYMOUS, (trx) => findEventIdBySlug(trx, slug))
  if (eventId === undefined) throw new NotFoundError()
  if (!form.ok) return eventPage(c, slug, { error: c.var.t('hold.noneChosen'), values: form.values }, 422)
  let holder = getCookie(c, HOLDER_COOKIE)
  if (!holder || !/^[A-Za-z0-9_-]{43}$/.test(holder)) {
    holder = randomToken(32)
    setCookie(c, HOLDER_COOKIE, holder, { ...cookieOptions, maxAge: 30 * 24 * 3600 })
  }
  // the waiting room, when the event's queue runs: only an admitted browser holds
  const queued = pageForGate(c, await holdGate(c, eventId, form.data))
  if (queued) return queued
  try {
    const { reservation } = await createReservation(c.var.db, {
      eventId, items: form.data, userId: c.var.user?.id ?? null, now: c.var.now,
      clientKey: await holdClientKey(c, holder), maxOpenHolds: holdLimits(c.var.config).perClient, groupCommit: holdGroupCommit(c.var.config),
    })
    setCookie(c, holdCookie(reservation.id), reservation.token!, { ...cookieOptions, maxAge: 24 * 3600 })
    return c.redirect(`/reservations/${reservation.id}`, 303)
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    const failure = formError(c, error)
    return eventPage(c, slug, { error: failure.errors._form, values: form.values }, failure.status)
  }
})

holdRoutes.get('/reservations/:id', async (c) => {
  return showHold(c, await holdOf(c), { notice: c.req.query('notice') === 'released' ? c.var.t('hold.released') : undefined })
})

holdRoutes.post('/reservations/:id/release', async (c) => {
  const { id, token } = await holdOf(c)
  if (!(await releaseReservation(c.var.db, id, token, c.var.now))) throw new DomainError(409, 'not_held', 'hold.expired')
  return c.redirect(`/reservations/${id}?notice=released`, 303)
})

