/**
 * /tickets, the wallet: a signed-in buyer's (or a guest's, through their private link) tickets with
 * event, time, venue, price, holder, state, QR, PDF and the actions the event allows; their running
 * holds from any device; tickets they transferred away. Row-level security shows only their own.
 */
import { setCookie } from 'hono/cookie'
import { WalletCard } from '../../views/tickets/wallet-card.tsx'
import { SoldOnResale } from '../../views/resale/wallet-resale.tsx'
import { listableOf, resaleOfWallet } from '../resale/resale-reads.ts'
import { withUserContext } from '../accounts/current-user.ts'
import { requireSignIn, signedInUser } from '../accounts/guards.ts'
import { z } from 'zod'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { factory } from '../http/factory.ts'
import { formError } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { formatDateTime, formatMoney } from '../i18n/format.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { Notice } from '../../views/components/form.tsx'
import { queueRefundSweep } from '../payments/refunds.ts'
import { maskContact } from '../transfers/masking.ts'
import { assertTransferable } from '../transfers/transfer-rules.ts'
import { expireDueTransfers } from '../transfers/transfer-service.ts'
import { HOLD_COOKIE_OPTIONS, holdCookie } from './hold-page.tsx'
import { refundOffers, requestPostponementRefund } from './refund-request.ts'
import { continueHoldHere } from './resume-link.ts'
import { listOwnHolds, listOwnTickets, listTransferredAway } from './ticket-queries.ts'

export const ticketRoutes = factory.createApp()

ticketRoutes.get('/tickets', requireSignIn, async (c) => {
  const user = signedInUser(c)
  const now = c.var.now
  // a transfer whose 24 hours ran out gives the sender their ticket back before it is shown
  await expireDueTransfers(c.var.db, c.var.services.secretKeys, now, user.id)
  // the buyer's own context, whatever staff role they also hold: tickets are reached through the owner policy
  const { tickets, holds } = await withUserContext(c, async (trx) => ({
    tickets: await listOwnTickets(trx, user.id), holds: await listOwnHolds(trx, user.id, now),
  }))
  // postponed events the buyer may still be refunded for, and tickets they gave away (platform context, their own rows only)
  const { offers, away } = await withContext(c.var.db, SYSTEM, async (trx) => ({
    offers: await refundOffers(trx, user.id, now), away: await listTransferredAway(trx, user.id),
  }))
  const { held, sold } = await resaleOfWallet(c.var.db, user.id, tickets, now)
  c.header('Cache-Control', 'private, no-store')
  const t = c.var.t
  const lang = c.var.lang
  const blocked = (ticket: (typeof tickets)[number]) => {
    try {
      assertTransferable({ ...ticket, listed: ticket.listing_id !== null }, now)
      return undefined
    } catch (error) {
      if (error instanceof DomainError) return t(error.messageKey, error.params)
      throw error
    }
  }
  return renderPage(c, {
    title: t('tickets.title'),
    body: (
      <section>
        <h1>{t('tickets.title')}</h1>
        {c.req.query('notice') === 'refund' && <Notice kind="success">{t('tickets.refund.done')}</Notice>}
        {c.req.query('notice') === 'listed' && <Notice kind="success">{t('resale.notice.listed')}</Notice>}
        {c.req.query('notice') === 'withdrawn' && <Notice kind="success">{t('resale.notice.withdrawn')}</Notice>}
        {holds.length > 0 && (
          <div class="card" data-holds>
            <h2>{t('wallet.holds.title')}</h2>
            <ul>
              {holds.map((hold) => (
                <li data-hold={hold.id}>
                  {t('wallet.holds.item', { event: hold.title, amount: formatMoney(hold.total_minor, hold.currency, lang), until: formatDateTime(hold.expires_at, lang) })}
                  <form method="post" action={`/reservations/${hold.id}/continue`}><button class="secondary">{t('wallet.holds.continue')}</button></form>
                </li>
              ))}
            </ul>
          </div>
        )}
        {offers.map((offer) => (
          <div class="card" data-refund-offer={offer.id}>
            <h2>{t('tickets.refund.title')}</h2>
            <p>{t('tickets.refund.intro', { event: offer.title, date: formatDateTime(offer.starts_at, lang), deadline: formatDateTime(offer.refund_deadline!, lang) })}</p>
            <form method="post" action={`/tickets/events/${offer.id}/refund`}><button class="secondary">{t('tickets.refund.submit')}</button></form>
          </div>
        ))}
        {tickets.length === 0 && away.length === 0 && sold.length === 0 ? <p class="muted">{t('tickets.none')}</p> : (
          <ul class="cards">
            {tickets.map((ticket) => (
              <WalletCard t={t} lang={lang} ticket={ticket} transferBlocked={blocked(ticket)}
                resale={{ listing: { ...ticket, listing_held: ticket.listing_id !== null && held.has(ticket.listing_id) }, listable: listableOf(ticket, now) }} />
            ))}
            <SoldOnResale t={t} lang={lang} sold={sold} />
            {away.map((gone) => (
              <li class="card ticket" data-transferred={gone.ticket_id}>
                <strong>{gone.title}</strong>
                <p class="meta">{formatDateTime(gone.starts_at, lang)} · {gone.type_name}</p>
                <p><span class="badge" data-status="transferred">{t('wallet.state.transferredTo', { to: maskContact(gone.to_contact) })}</span></p>
                {gone.completed_at && <p class="muted">{formatDateTime(gone.completed_at, lang)}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
    ),
  })
})

/** A signed-in buyer's hold, opened on this device (the hold's token moves here; the other device's stops). */
ticketRoutes.post('/reservations/:id/continue', requireSignIn, async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  const hold = await continueHoldHere(c.var.db, id.data, signedInUser(c).id, c.var.now)
  if (!hold) throw new NotFoundError()
  setCookie(c, holdCookie(hold.id), hold.token, { ...HOLD_COOKIE_OPTIONS, maxAge: 24 * 3600 })
  return c.redirect(`/reservations/${hold.id}`, 303)
})

/** A holder's refund after a postponement, until the organiser's deadline. */
ticketRoutes.post('/tickets/events/:eventId/refund', requireSignIn, async (c) => {
  const eventId = z.uuid().safeParse(c.req.param('eventId'))
  if (!eventId.success) throw new NotFoundError()
  const user = signedInUser(c)
  try {
    await withContext(c.var.db, SYSTEM, (trx) => requestPostponementRefund(trx, user.id, eventId.data, c.var.now))
  } catch (error) {
    if (error instanceof NotFoundError) throw error
    const failure = formError(c, error)
    return renderPage(c, {
      title: c.var.t('tickets.refund.title'), status: failure.status,
      body: <section><h1>{c.var.t('tickets.refund.title')}</h1><Notice kind="error">{failure.errors._form}</Notice>
        <p><a href="/tickets">{c.var.t('tickets.title')}</a></p></section>,
    })
  }
  await queueRefundSweep(c.var.services.scheduler, c.var.now)
  return c.redirect('/tickets?notice=refund', 303)
})
