/** /tickets: a signed-in buyer's tickets, each with its QR. Row-level security shows only their own. */
import { TicketCard } from '../../views/tickets/ticket-card.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireSignIn, signedInUser } from '../accounts/guards.ts'
import { z } from 'zod'
import { SYSTEM, withContext } from '../db/request-context.ts'
import { factory } from '../http/factory.ts'
import { formError } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import { formatDateTime } from '../i18n/format.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { Notice } from '../../views/components/form.tsx'
import { queueRefundSweep } from '../payments/refunds.ts'
import { refundOffers, requestPostponementRefund } from './refund-request.ts'
import { listOwnTickets } from './ticket-queries.ts'

export const ticketRoutes = factory.createApp()

ticketRoutes.get('/tickets', requireSignIn, async (c) => {
  const user = signedInUser(c)
  // the buyer's own context, whatever staff role they also hold: tickets are reached through the owner policy
  const tickets = await withUserContext(c, (trx) => listOwnTickets(trx, user.id))
  // postponed events the buyer may still be refunded for (read in the platform context, for their own tickets only)
  const offers = await withContext(c.var.db, SYSTEM, (trx) => refundOffers(trx, user.id, c.var.now))
  c.header('Cache-Control', 'private, no-store')
  const t = c.var.t
  const lang = c.var.lang
  return renderPage(c, {
    title: t('tickets.title'),
    body: (
      <section>
        <h1>{t('tickets.title')}</h1>
        {c.req.query('notice') === 'refund' && <Notice kind="success">{t('tickets.refund.done')}</Notice>}
        {offers.map((offer) => (
          <div class="card" data-refund-offer={offer.id}>
            <h2>{t('tickets.refund.title')}</h2>
            <p>{t('tickets.refund.intro', { event: offer.title, date: formatDateTime(offer.starts_at, lang), deadline: formatDateTime(offer.refund_deadline!, lang) })}</p>
            <form method="post" action={`/tickets/events/${offer.id}/refund`}><button class="secondary">{t('tickets.refund.submit')}</button></form>
          </div>
        ))}
        {tickets.length === 0 ? <p class="muted">{t('tickets.none')}</p> : (
          <ul class="cards">
            {tickets.map((ticket) => (
              <TicketCard t={t} typeName={ticket.type_name} eventTitle={ticket.title} status={ticket.status} code={ticket.qr_code}
                pdfHref={`/tickets/${ticket.id}/pdf`} />
            ))}
          </ul>
        )}
      </section>
    ),
  })
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
