/** Buyer-facing pages: the home page of upcoming events and an event's page. */
import { z } from 'zod'
import { HomePage } from '../../views/events/home-page.tsx'
import { EventPage } from '../../views/events/event-page.tsx'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { NotFoundError } from '../http/errors.tsx'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { findPublicEventBySlug, listTicketTypesOfEvent, listUpcomingEvents } from './queries.ts'

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/)

export const publicEventRoutes = factory.createApp()

publicEventRoutes.get('/', async (c) => {
  const events = await withContext(c.var.db, ANONYMOUS, (trx) => listUpcomingEvents(trx, c.var.now))
  return renderPage(c, {
    title: c.var.t('app.name'),
    body: <HomePage t={c.var.t} lang={c.var.lang} events={events} />,
  })
})

publicEventRoutes.get('/events/:slug', async (c) => {
  const slug = slugSchema.safeParse(c.req.param('slug'))
  if (!slug.success) throw new NotFoundError()
  const found = await withContext(c.var.db, ANONYMOUS, async (trx) => {
    const event = await findPublicEventBySlug(trx, slug.data)
    return event && { event, ticketTypes: await listTicketTypesOfEvent(trx, event.id) }
  })
  if (!found) throw new NotFoundError()
  return renderPage(c, {
    title: found.event.title,
    body: <EventPage t={c.var.t} lang={c.var.lang} now={c.var.now} {...found} />,
  })
})
