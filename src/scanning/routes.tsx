/**
 * The gate staff's pages. Scanners see only the events assigned to them; managers see all of their
 * tenant's events. Anything else answers 404, so nobody learns which events exist.
 */
import type { Context } from 'hono'
import { sql } from 'kysely'
import { z } from 'zod'
import { ScannerEventPage, ScannerHome } from '../../views/scanning/scan-pages.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireStaff } from '../accounts/guards.ts'
import type { Queryable } from '../db/database.ts'
import type { AppEnv } from '../http/app-env.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'

export const scannerRoutes = factory.createApp()
scannerRoutes.use('/scan', requireStaff)
scannerRoutes.use('/scan/*', requireStaff)

/** Events this staff member may scan, in their tenant context. */
function scannableEvents(trx: Queryable, c: Context<AppEnv>) {
  const user = c.var.user!
  let query = trx.selectFrom('events as e').select(['e.id', 'e.title', 'e.starts_at', 'e.venue_name'])
    .where('e.tenant_id', '=', user.activeMembership!.tenantId)
    .where('e.status', 'in', ['published', 'ongoing', 'completed'])
  if (user.activeMembership!.role === 'scanner') {
    query = query.where((eb) => eb.exists(eb.selectFrom('scanner_assignments as a')
      .whereRef('a.event_id', '=', 'e.id').where('a.user_id', '=', user.id).select('a.event_id')))
  }
  return query.orderBy('e.starts_at')
}

scannerRoutes.get('/scan', async (c) => {
  const events = await withUserContext(c, (trx) => scannableEvents(trx, c).execute())
  return renderPage(c, { title: c.var.t('scan.title'), body: <ScannerHome t={c.var.t} lang={c.var.lang} events={events} /> })
})

scannerRoutes.get('/scan/events/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  const found = await withUserContext(c, async (trx) => {
    const event = await scannableEvents(trx, c).where('e.id', '=', id.data).executeTakeFirst()
    if (!event) return undefined
    const counts = await trx.selectFrom('tickets')
      .select([
        sql<number>`count(*) filter (where status = 'used')`.as('checkedIn'),
        sql<number>`count(*) filter (where status in ('active', 'used'))`.as('total'),
      ])
      .where('event_id', '=', event.id).executeTakeFirstOrThrow()
    return { event, checkedIn: Number(counts.checkedIn), total: Number(counts.total) }
  })
  if (!found) throw new NotFoundError()
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: found.event.title, scripts: ['htmx', 'tikiti'],
    body: <ScannerEventPage t={c.var.t} lang={c.var.lang} {...found} />,
  })
})
