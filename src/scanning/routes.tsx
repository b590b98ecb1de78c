/**
 * The gate staff's pages. Scanners see only the events assigned to them; managers see all of their
 * tenant's events. Anything else answers 404, so nobody learns which events exist.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { GatePage } from '../../views/scanning/gate-page.tsx'
import { ScannerHome } from '../../views/scanning/scan-pages.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireStaff, staffMember } from '../accounts/guards.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { recordScan, type ScanInput } from './check-in.ts'
import { countCheckIns, findScannableEvent, listScannableEvents } from './queries.ts'
import type { ScanAnswer } from './verdict.ts'

export const scannerRoutes = factory.createApp()
scannerRoutes.use('/scan', requireStaff)
scannerRoutes.use('/scan/*', requireStaff)

scannerRoutes.get('/scan', async (c) => {
  const events = await withUserContext(c, (trx) => listScannableEvents(trx, staffMember(c)))
  return renderPage(c, { title: c.var.t('scan.title'), body: <ScannerHome t={c.var.t} lang={c.var.lang} events={events} /> })
})

const eventId = (value: string) => {
  const id = z.uuid().safeParse(value)
  if (!id.success) throw new NotFoundError()
  return id.data
}

async function gatePage(c: Context<AppEnv>, id: string, check?: () => ScanInput) {
  const staff = staffMember(c)
  const found = await withUserContext(c, async (trx) => {
    const event = await findScannableEvent(trx, staff, id)
    if (!event) return undefined
    let answer: ScanAnswer | undefined
    if (check) answer = (await recordScan(trx, { tenantId: staff.tenantId, userId: staff.userId, scannerDeviceId: null }, event.id, check(), c.var.now)).answer
    return { event, answer, ...(await countCheckIns(trx, event.id)) }
  })
  if (!found) throw new NotFoundError()
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: found.event.title, scripts: ['gate', 'alpine'],
    body: <GatePage t={c.var.t} lang={c.var.lang} manager={staff.role === 'manager'} {...found} />,
  })
}

scannerRoutes.get('/scan/events/:id', (c) => gatePage(c, eventId(c.req.param('id'))))

/** The manual form without JavaScript: the server checks the code and shows the answer on the page. */
scannerRoutes.post('/scan/events/:id/check', async (c) => {
  const id = eventId(c.req.param('id'))
  const form = await c.req.parseBody()
  const code = typeof form.code === 'string' ? form.code.slice(0, 400) : ''
  if (!code.trim()) return gatePage(c, id)
  return gatePage(c, id, () => ({ code, scanId: crypto.randomUUID(), scannedAt: c.var.now, deviceId: 'web-form' }))
})
