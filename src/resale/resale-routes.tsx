/**
 * Resale as pages: the owner lists a ticket from the wallet (or withdraws the listing); buyers see an
 * event's resale tickets at /events/{slug}/resale and hold one, then pay on the ordinary hold page.
 */
import type { Context } from 'hono'
import { setCookie } from 'hono/cookie'
import { z } from 'zod'
import { Notice } from '../../views/components/form.tsx'
import { ResaleOffers } from '../../views/resale/resale-offers.tsx'
import { requireSignIn, signedInUser } from '../accounts/guards.ts'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { findPublicEvent } from '../events/queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { parseMajorAmount } from '../lib/money.ts'
import { HOLD_COOKIE_OPTIONS, holdCookie } from '../tickets/hold-page.tsx'
import { holdClientKey, holdLimits } from '../tickets/hold-limits.ts'
import { createListing, holdListing, withdrawListing } from './listing-service.ts'
import { resaleOffersOf } from './resale-reads.ts'

export const resaleRoutes = factory.createApp()

function uuidParam(c: Context<AppEnv>, name: string): string {
  const id = z.uuid().safeParse(c.req.param(name))
  if (!id.success) throw new NotFoundError()
  return id.data
}

const shownStatus = (error: DomainError) => (error.status === 409 || error.status === 422 || error.status === 429 ? error.status : 422)

/** A step of the wallet that did not work: the reason, and the way back (a 4xx, nothing changed). */
function walletProblem(c: Context<AppEnv>, error: DomainError) {
  return renderPage(c, {
    title: c.var.t('resale.title'), status: shownStatus(error),
    body: <section class="narrow"><h1>{c.var.t('resale.title')}</h1><Notice kind="error">{c.var.t(error.messageKey, error.params)}</Notice>
      <p><a href="/tickets">{c.var.t('tickets.title')}</a></p></section>,
  })
}

async function attempt(c: Context<AppEnv>, work: () => Promise<unknown>, onError: (error: DomainError) => Response | Promise<Response>) {
  try {
    await work()
    return undefined
  } catch (error) {
    if (!(error instanceof DomainError) || error instanceof NotFoundError) throw error
    return onError(error)
  }
}

resaleRoutes.post('/tickets/:id/listings', requireSignIn, async (c) => {
  const ticketId = uuidParam(c, 'id')
  const body = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).slice(0, 100) : '')
  const failed = await attempt(c, () => {
    const price = parseMajorAmount(text('price'))
    if (price === null) throw new DomainError(422, 'invalid_price', 'resale.badPrice')
    return createListing(c.var.db, { ticketId, userId: signedInUser(c).id, priceMinor: price, payoutPhone: text('phone'), lang: c.var.lang, now: c.var.now })
  }, (error) => walletProblem(c, error))
  return failed ?? c.redirect('/tickets?notice=listed', 303)
})

resaleRoutes.post('/listings/:id/withdraw', requireSignIn, async (c) => {
  const listingId = uuidParam(c, 'id')
  const failed = await attempt(c, () => withdrawListing(c.var.db, { listingId, userId: signedInUser(c).id, now: c.var.now }),
    (error) => walletProblem(c, error))
  return failed ?? c.redirect('/tickets?notice=withdrawn', 303)
})

async function resalePage(c: Context<AppEnv>, slug: string, extras: { error?: string; status?: 409 | 422 | 429 } = {}) {
  if (!/^[a-z0-9][a-z0-9-]{0,99}$/.test(slug)) throw new NotFoundError()
  const event = await withContext(c.var.db, ANONYMOUS, (trx) => findPublicEvent(trx, { slug }))
  if (!event || !event.allow_resale) throw new NotFoundError()
  const offers = await resaleOffersOf(c.var.db, event.id, c.var.now)
  const t = c.var.t
  return renderPage(c, {
    title: t('resale.pageTitle', { event: event.title }), status: extras.status,
    body: (
      <section class="narrow">
        <h1>{t('resale.pageTitle', { event: event.title })}</h1>
        <p class="muted">{t('resale.intro')}</p>
        {extras.error && <Notice kind="error">{extras.error}</Notice>}
        <ResaleOffers t={t} lang={c.var.lang} slug={event.slug} offers={offers} />
        <p><a href={`/events/${event.slug}`}>{t('resale.backToEvent')}</a></p>
      </section>
    ),
  })
}

resaleRoutes.get('/events/:slug/resale', (c) => resalePage(c, c.req.param('slug')))

resaleRoutes.post('/events/:slug/resale/:listingId/buy', async (c) => {
  const slug = c.req.param('slug')
  const listingId = uuidParam(c, 'listingId')
  let holdId: string | undefined
  const failed = await attempt(c, async () => {
    const hold = await holdListing(c.var.db, {
      listingId, userId: c.var.user?.id ?? null, now: c.var.now, clientKey: await holdClientKey(c), maxOpenHolds: holdLimits(c.var.config).perClient,
    })
    setCookie(c, holdCookie(hold.id), hold.token!, { ...HOLD_COOKIE_OPTIONS, maxAge: 24 * 3600 })
    holdId = hold.id
  }, (error) => resalePage(c, slug, { error: c.var.t(error.messageKey, error.params), status: shownStatus(error) }))
  return failed ?? c.redirect(`/reservations/${holdId}`, 303)
})
