/** /tickets: a signed-in buyer's tickets, each with its QR. Row-level security shows only their own. */
import { TicketCard } from '../../views/tickets/ticket-card.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireSignIn, signedInUser } from '../accounts/guards.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { listOwnTickets } from './ticket-queries.ts'

export const ticketRoutes = factory.createApp()

ticketRoutes.get('/tickets', requireSignIn, async (c) => {
  const user = signedInUser(c)
  // the buyer's own context, whatever staff role they also hold: tickets are reached through the owner policy
  const tickets = await withUserContext(c, (trx) => listOwnTickets(trx, user.id))
  c.header('Cache-Control', 'private, no-store')
  const t = c.var.t
  return renderPage(c, {
    title: t('tickets.title'),
    body: (
      <section>
        <h1>{t('tickets.title')}</h1>
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
