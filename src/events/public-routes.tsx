/** Buyer-facing pages: upcoming events (searchable) and an event's page. Conditional GET via ETag. */
import type { Context } from 'hono'
import { etag } from 'hono/etag'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { EventPage, type EventPageProps } from '../../views/events/event-page.tsx'
import { HomePage } from '../../views/events/home-page.tsx'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import type { AppEnv } from '../http/app-env.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { eventSearch } from './form-schemas.ts'
import { findPublicEvent, listTicketTypesOfEvent, listUpcomingEvents } from './queries.ts'

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/)

export const publicEventRoutes = factory.createApp()

// Repeat visits on slow data cost a few hundred bytes: the browser revalidates and gets a 304.
for (const path of ['/', '/events', '/events/*']) publicEventRoutes.use(path, etag())

publicEventRoutes.get('/', async (c) => {
  const events = await withContext(c.var.db, ANONYMOUS, (trx) => listUpcomingEvents(trx, c.var.now))
  return renderPage(c, {
    title: c.var.t('app.name'),
    body: <HomePage t={c.var.t} lang={c.var.lang} events={events} heading={c.var.t('home.title')} />,
  })
})

publicEventRoutes.get('/events', async (c) => {
  const filter = eventSearch.parse({ q: c.req.query('q'), city: c.req.query('city') })
  const events = await withContext(c.var.db, ANONYMOUS, (trx) => listUpcomingEvents(trx, c.var.now, filter))
  return renderPage(c, {
    title: c.var.t('events.title'),
    body: <HomePage t={c.var.t} lang={c.var.lang} events={events} heading={c.var.t('events.title')} search={filter} />,
  })
})

/** The event page; shown again with the buyer's choice and a message when a hold did not work. */
export async function eventPage(c: Context<AppEnv>, slugParam: string, reserve?: EventPageProps['reserve'], status?: ContentfulStatusCode) {
  const slug = slugSchema.safeParse(slugParam)
  if (!slug.success) throw new NotFoundError()
  const found = await withContext(c.var.db, ANONYMOUS, async (trx) => {
    const event = await findPublicEvent(trx, { slug: slug.data })
    return event && { event, ticketTypes: await listTicketTypesOfEvent(trx, event.id, c.var.now) }
  })
  if (!found) throw new NotFoundError()
  return renderPage(c, {
    title: found.event.title,
    status,
    body: <EventPage t={c.var.t} lang={c.var.lang} now={c.var.now} {...found} reserve={reserve} />,
  })
}

publicEventRoutes.get('/events/:slug', (c) => eventPage(c, c.req.param('slug')))
