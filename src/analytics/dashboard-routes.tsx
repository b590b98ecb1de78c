/**
 * /manage (the organiser's home: its dashboard across events), /manage/events/{id}/dashboard, and the
 * super admin's /admin/dashboard. One URL renders the page or, for htmx, the results fragment.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { PlatformDashboardPage } from '../../views/analytics/admin-dashboard-page.tsx'
import { DashboardPage } from '../../views/analytics/dashboard-page.tsx'
import { ManageHome } from '../../views/accounts/manage-pages.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, requireSuperAdmin, staffMember } from '../accounts/guards.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { renderPage } from '../http/render.tsx'
import { NotFoundError } from '../lib/domain-errors.ts'
import { listTenantEvents } from '../events/manage-queries.ts'
import { loadPlatformDashboard } from './admin-service.ts'
import { filterTicketTypes, loadDashboard, scopeOf } from './dashboard-service.ts'
import { parseFigureFilter, type FigureFilter } from './filters.ts'

export const dashboardRoutes = factory.createApp()
dashboardRoutes.use('/manage', requireManager)
dashboardRoutes.use('/manage/events/:eventId/dashboard', requireManager)
dashboardRoutes.use('/admin/dashboard', requireSuperAdmin)

async function organiserDashboard(c: Context<AppEnv>, filter: FigureFilter, fixedEvent: boolean) {
  const staff = staffMember(c)
  const data = await withUserContext(c, async (trx) => ({
    dashboard: await loadDashboard(trx, scopeOf(staff.tenantId, filter), c.var.now),
    types: await filterTicketTypes(trx, staff.tenantId, filter.eventId),
    events: fixedEvent ? [] : await listTenantEvents(trx, staff.tenantId),
  }))
  c.header('Cache-Control', 'private, no-store')
  const action = fixedEvent ? `/manage/events/${filter.eventId}/dashboard` : '/manage'
  return renderPage(c, {
    title: data.dashboard.event ? c.var.t('analytics.title.event', { event: data.dashboard.event.title }) : c.var.t('manage.title'),
    scripts: ['htmx', 'tikiti'],
    body: <DashboardPage t={c.var.t} lang={c.var.lang} dashboard={data.dashboard} filter={filter} action={action} types={data.types}
      fixedEvent={fixedEvent} exportBase="/manage/exports" now={c.var.now}
      header={fixedEvent
        ? <p><a href="/manage">← {c.var.t('manage.title')}</a> · <a href={`/manage/events/${filter.eventId}`}>{data.dashboard.event?.title}</a></p>
        : <ManageHome t={c.var.t} lang={c.var.lang} membership={staff.membership} events={data.events} />} />,
  })
}

dashboardRoutes.get('/manage', (c) => organiserDashboard(c, parseFigureFilter(c.req.query()), false))

dashboardRoutes.get('/manage/events/:eventId/dashboard', (c) => {
  const eventId = z.uuid().safeParse(c.req.param('eventId'))
  if (!eventId.success) throw new NotFoundError()
  const filter = parseFigureFilter({ ...c.req.query(), event: eventId.data })
  return organiserDashboard(c, filter, true)
})

dashboardRoutes.get('/admin/dashboard', async (c) => {
  const filter = parseFigureFilter(c.req.query())
  const dashboard = await withUserContext(c, (trx) => loadPlatformDashboard(trx, scopeOf(null, filter)))
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('analytics.admin.title'),
    scripts: ['htmx', 'tikiti'],
    body: <PlatformDashboardPage t={c.var.t} lang={c.var.lang} d={dashboard} filter={filter} />,
  })
})
