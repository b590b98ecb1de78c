/**
 * The gate staff's pages. Scanners see only the events assigned to them; managers see all of their
 * tenant's events. Anything else answers 404, so nobody learns which events exist.
 */
import { z } from 'zod'
import { ScannerEventPage, ScannerHome } from '../../views/scanning/scan-pages.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireStaff, staffMember } from '../accounts/guards.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { countCheckIns, findScannableEvent, listScannableEvents } from './queries.ts'

export const scannerRoutes = factory.createApp()
scannerRoutes.use('/scan', requireStaff)
scannerRoutes.use('/scan/*', requireStaff)

scannerRoutes.get('/scan', async (c) => {
  const events = await withUserContext(c, (trx) => listScannableEvents(trx, staffMember(c)))
  return renderPage(c, { title: c.var.t('scan.title'), body: <ScannerHome t={c.var.t} lang={c.var.lang} events={events} /> })
})

scannerRoutes.get('/scan/events/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  const found = await withUserContext(c, async (trx) => {
    const event = await findScannableEvent(trx, staffMember(c), id.data)
    if (!event) return undefined
    return { event, ...(await countCheckIns(trx, event.id)) }
  })
  if (!found) throw new NotFoundError()
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: found.event.title, scripts: ['htmx', 'tikiti'],
    body: <ScannerEventPage t={c.var.t} lang={c.var.lang} {...found} />,
  })
})
