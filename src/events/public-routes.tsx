/** Buyer-facing pages: upcoming events (searchable) and an event's page. Conditional GET via ETag. */
import { etag } from 'hono/etag'
import { HomePage } from '../../views/events/home-page.tsx'
import { ANONYMOUS, withContext } from '../db/request-context.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { eventSearch } from './form-schemas.ts'
import { eventPage } from './event-page-render.tsx'
import { listUpcomingEvents } from './queries.ts'

export const publicEventRoutes = factory.createApp()

// Repeat visits on slow data cost a few hundred bytes: the browser revalidates and gets a 304. Only these
// pages: the waiting room's queue page is personal and no-store, and hashing it cost a flash sale CPU.
for (const path of ['/', '/events', '/events/:slug']) publicEventRoutes.use(path, etag())

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

publicEventRoutes.get('/events/:slug', (c) => eventPage(c, c.req.param('slug')))
