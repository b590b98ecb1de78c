/** /tickets: a signed-in buyer's tickets, each with its QR. Row-level security shows only their own. */
import { TicketCard } from '../../views/tickets/ticket-card.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireSignIn } from '../accounts/guards.ts'
import { signedInUser } from '../accounts/guards.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'

export const ticketRoutes = factory.createApp()

ticketRoutes.get('/tickets', requireSignIn, async (c) => {
  const user = signedInUser(c)
  // the buyer's own context, whatever staff role they also hold: tickets are reached through the owner policy
  const tickets = await withUserContext(c, (trx) => trx.selectFrom('tickets as t')
    .innerJoin('ticket_types as tt', 'tt.id', 't.ticket_type_id')
    .innerJoin('events as e', 'e.id', 't.event_id')
    .select(['t.id', 't.status', 't.qr_code', 'tt.name as type_name', 'e.title', 'e.starts_at'])
    .where('t.user_id', '=', user.id).where('t.status', 'in', ['active', 'used'])
    .orderBy('e.starts_at').orderBy('t.id').execute())
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
