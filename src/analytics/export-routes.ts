/**
 * Exports: /manage/exports/{dataset}.{csv|xlsx|pdf}, /manage/exports/summary.pdf and
 * /manage/exports/checkin-list.pdf (the organiser's rows only), and the same under /admin/exports for
 * the platform. The dashboard's filter (`?event=&type=&from=&to=`) and `?columns=` apply.
 */
import type { Context } from 'hono'
import { sendFile } from './file-response.ts'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, requireSuperAdmin, staffMember } from '../accounts/guards.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { DomainError } from '../lib/domain-errors.ts'
import { loadDashboard, scopeOf } from './dashboard-service.ts'
import {
  buildCheckInList, buildDatasetFile, buildSummary, checkInListRows, collectRows, DIRECT_EXPORT_ROWS, MAX_EXPORT_ROWS, parseExportFile,
} from './export-service.ts'
import { assertScope } from './dashboard-service.ts'
import { parseFigureFilter } from './filters.ts'

export const exportRoutes = factory.createApp()
exportRoutes.use('/manage/exports/*', requireManager)
exportRoutes.use('/admin/exports/*', requireSuperAdmin)

async function exportFor(c: Context<AppEnv>, tenantId: string | null, scopeTitle: string) {
  const file = c.req.param('file') ?? ''
  const filter = parseFigureFilter(c.req.query())
  const scope = scopeOf(tenantId, filter)
  const context = { t: c.var.t, lang: c.var.lang, now: c.var.now }
  if (file === 'summary.pdf') {
    const dashboard = await withUserContext(c, (trx) => loadDashboard(trx, scope, c.var.now))
    return sendFile(c, await buildSummary(dashboard, { ...context, scopeTitle: dashboard.event?.title ?? scopeTitle }))
  }
  if (file === 'checkin-list.pdf') {
    if (!scope.eventId) throw new DomainError(400, 'event_required', 'analytics.export.needsEvent')
    const { rows, title } = await withUserContext(c, (trx) => checkInListRows(trx, scope))
    return sendFile(c, await buildCheckInList(rows, { ...context, eventTitle: title }))
  }
  const request = parseExportFile(file, c.req.query('columns'))
  // CSV streams at any size; Excel and PDF are built in memory, so large ones go to a background job
  const limit = request.format === 'csv' ? MAX_EXPORT_ROWS : DIRECT_EXPORT_ROWS
  const rows = await withUserContext(c, async (trx) => {
    await assertScope(trx, scope)
    return collectRows(trx, request.dataset, scope, limit)
  })
  return sendFile(c, await buildDatasetFile(request, rows, { ...context, scopeTitle }))
}

exportRoutes.get('/manage/exports/:file', (c) => exportFor(c, staffMember(c).tenantId, staffMember(c).tenantName))
exportRoutes.get('/admin/exports/:file', (c) => exportFor(c, null, c.var.t('analytics.admin.title')))
