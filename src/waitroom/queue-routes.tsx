/**
 * The waiting room's page, GET /events/{slug}/queue: joins the browser to the event's queue (by its own
 * random id, never by anything in the URL) and answers where it stands, in the page and in the headers
 * X-Queue-Status (waiting | admitted | sold_out | closed) and X-Queue-Position (places to go, 1 = next).
 */
import { z } from 'zod'
import { QueuePage } from '../../views/waitroom/queue-page.tsx'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError } from '../lib/domain-errors.ts'
import { admissionsPerMinute, dropAdmission, existingBrowserId, grantAdmission, keepBrowserId, newBrowserId, readAdmission } from './admission.ts'
import { findQueueLook } from './queue-queries.ts'
import { visitQueue, type QueueView } from './queue-service.ts'
import { queueStoreOf } from './store-of.ts'

export const queueRoutes = factory.createApp()

const slugSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/)

/**
 * Seconds until the page looks again: soon when the turn is near, less often far back, before the opening or
 * without a place. Each answer is spread by a fifth either way, so a crowd that arrived together (a sale's
 * opening) does not come back together, every refresh a burst.
 */
function refreshAfter(view: QueueView): number | undefined {
  if (view.status !== 'waiting') return undefined
  const seconds = view.position === undefined ? 30 : view.position <= 50 ? 5 : view.position <= 1000 ? 15 : 30
  return Math.round(seconds * (0.8 + Math.random() * 0.4))
}

queueRoutes.get('/events/:slug/queue', async (c) => {
  const slug = slugSchema.safeParse(c.req.param('slug'))
  if (!slug.success) throw new NotFoundError()
  // read once: each read of c.var copies every variable of the request (Hono), and this page serves a crowd
  const { db, now, config, t, lang } = c.var
  const event = await findQueueLook(db, slug.data, now)
  if (!event) throw new NotFoundError()
  const known = existingBrowserId(c)
  let made: string | undefined
  const browserId = () => known ?? (made ??= newBrowserId())
  const asked = c.req.query('admission')
  let notice: 'expired' | 'invalid' | undefined = asked === 'expired' || asked === 'invalid' ? asked : undefined
  const shown = await readAdmission(c, event.id)
  if (shown.kind === 'forged' || shown.kind === 'expired') {
    dropAdmission(c, event.id)
    notice = shown.kind === 'forged' ? 'invalid' : 'expired'
  }
  const view = await visitQueue({
    store: queueStoreOf(c), event, browserId, newBrowser: known === undefined, now,
    perMinute: admissionsPerMinute(config, event.admission_per_minute),
  })
  // a newcomer keeps its id once the queue has something of it (a place, the pre-queue); one told that nothing is
  // left for now (or sold out) has nothing to come back to, and its next look is a newcomer's again
  if (known === undefined && (view.position !== undefined || view.opensAt !== undefined || view.status === 'admitted')) {
    keepBrowserId(c, browserId())
  }
  if (view.rejoined) notice = 'expired'
  if (view.status === 'admitted' && !(shown.kind === 'valid' && shown.untilMs === view.admittedUntil!.getTime())) {
    await grantAdmission(c, event.id, browserId(), view.admittedUntil!.getTime())
  }
  c.header('X-Queue-Status', view.status)
  if (view.position !== undefined) c.header('X-Queue-Position', String(view.position))
  // for a poller (and a buyer's own script): nothing left right now means waiting only for holds that lapse
  c.header('X-Tickets-Left', String(view.ticketsLeft))
  c.header('Cache-Control', 'no-store')
  const manual = c.req.query('refresh') === 'off'
  const refresh = manual ? undefined : refreshAfter(view)
  return renderPage(c, {
    title: t('waitroom.title', { title: event.title }),
    // loaded again every few seconds by a whole crowd over 2G: the layout's own styles are all it uses
    compact: true,
    refreshSeconds: refresh,
    // a crowd told the same (every newcomer while all is held, everyone once sold out) is served one page; a
    // page with a place or an admission is one browser's, and is not kept
    sameForEveryone: view.position === undefined && view.admittedUntil === undefined
      ? JSON.stringify([event.title, event.slug, view, notice ?? null, refresh ?? null, manual]) : undefined,
    body: <QueuePage t={t} lang={lang} title={event.title} slug={event.slug} view={view} notice={notice}
      refreshSeconds={refresh} manual={manual} />,
  })
})
