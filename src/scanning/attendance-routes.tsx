/**
 * Live attendance for the tenant's managers: figures that refresh themselves, the scan log and its CSV,
 * and stopping a scanner phone's token. Another tenant's event answers 404.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { AttendancePage } from '../../views/scanning/attendance-page.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import { recordAudit } from '../audit/audit-log.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError } from '../lib/domain-errors.ts'
import { attendanceFigures, doubleEntries, SCAN_RESULTS, scanLog, type ScanLogFilter } from './attendance-queries.ts'
import { listDevices, revokeDevice } from './devices.ts'
import { findScannableEvent } from './queries.ts'
import { scanLogCsv } from './scan-log-csv.ts'

export const attendanceRoutes = factory.createApp()
attendanceRoutes.use('/manage/events/:eventId/attendance', requireManager)
attendanceRoutes.use('/manage/events/:eventId/attendance/*', requireManager)
attendanceRoutes.use('/manage/events/:eventId/devices/*', requireManager)

const uuid = z.uuid()
function idOf(value: string | undefined): string {
  const parsed = uuid.safeParse(value)
  if (!parsed.success) throw new NotFoundError()
  return parsed.data
}

function filterOf(c: Context<AppEnv>): ScanLogFilter {
  const result = c.req.query('result')
  const text = (value: string | undefined, max: number) => value?.trim().slice(0, max) || undefined
  return {
    result: SCAN_RESULTS.find((known) => known === result),
    gate: text(c.req.query('gate'), 60), device: text(c.req.query('device'), 64),
  }
}

attendanceRoutes.get('/manage/events/:eventId/attendance', async (c) => {
  const staff = staffMember(c)
  const filter = filterOf(c)
  const data = await withUserContext(c, async (trx) => {
    const event = await findScannableEvent(trx, staff, idOf(c.req.param('eventId')))
    if (!event) return undefined
    return {
      event, figures: await attendanceFigures(trx, event.id), doubles: await doubleEntries(trx, event.id),
      devices: await listDevices(trx, staff.tenantId), log: await scanLog(trx, event.id, filter, 100),
    }
  })
  if (!data) throw new NotFoundError()
  c.header('Cache-Control', 'private, no-store')
  const props = { t: c.var.t, lang: c.var.lang, filter, csrfPath: '', ...data }
  // htmx's poll asks this same URL and keeps only #attendance-figures (hx-select)
  return renderPage(c, { title: c.var.t('attendance.title', { event: data.event.title }), scripts: ['htmx', 'tikiti'], body: <AttendancePage {...props} /> })
})

attendanceRoutes.get('/manage/events/:eventId/attendance/scans.csv', async (c) => {
  const staff = staffMember(c)
  const rows = await withUserContext(c, async (trx) => {
    const event = await findScannableEvent(trx, staff, idOf(c.req.param('eventId')))
    return event ? scanLog(trx, event.id, filterOf(c), 50_000) : undefined
  })
  if (!rows) throw new NotFoundError()
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', 'attachment; filename="scans.csv"')
  c.header('Cache-Control', 'private, no-store')
  return c.body(scanLogCsv(rows))
})

attendanceRoutes.post('/manage/events/:eventId/devices/:deviceId/revoke', async (c) => {
  const staff = staffMember(c)
  const eventId = idOf(c.req.param('eventId'))
  const deviceId = idOf(c.req.param('deviceId'))
  const done = await withUserContext(c, async (trx) => {
    if (!(await findScannableEvent(trx, staff, eventId))) return false
    if (!(await revokeDevice(trx, { tenantId: staff.tenantId, id: deviceId, by: staff.userId, now: c.var.now }))) return false
    await recordAudit(trx, { action: 'scanner_device_revoked', tenantId: staff.tenantId, actorUserId: staff.userId, targetType: 'scanner_device', targetId: deviceId })
    return true
  })
  if (!done) throw new NotFoundError()
  return c.redirect(`/manage/events/${eventId}/attendance`, 303)
})
