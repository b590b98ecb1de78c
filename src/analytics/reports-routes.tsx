/**
 * /manage/reports: saved custom reports (create, delete, download in any format) and background
 * exports: /manage/exports/jobs/{id} shows a job's progress (htmx polls it), /download serves the file.
 * Managers of the active tenant only; every query names the tenant and runs in its RLS context.
 */
import type { Context } from 'hono'
import { z } from 'zod'
import { JobPage, ReportsPage } from '../../views/analytics/reports-page.tsx'
import { withUserContext } from '../accounts/current-user.ts'
import { requireManager, staffMember } from '../accounts/guards.ts'
import { listTenantEvents } from '../events/manage-queries.ts'
import type { AppEnv } from '../http/app-env.ts'
import { factory } from '../http/factory.ts'
import { formError, readForm, type FieldErrors, type FormValues } from '../http/forms.ts'
import { renderPage } from '../http/render.tsx'
import type { DomainError } from '../lib/domain-errors.ts'
import { NotFoundError } from '../lib/domain-errors.ts'
import { sendFile } from './file-response.ts'
import {
  createExportJob, createFilteredExportJob, createReport, deleteReport, exportJobFile, findExportJob, findReport, listExportJobs, listReports, parseFormat, reportForm,
} from './report-service.ts'

export const reportsRoutes = factory.createApp()
reportsRoutes.use('/manage/reports', requireManager)
reportsRoutes.use('/manage/reports/*', requireManager)
reportsRoutes.use('/manage/exports/jobs/*', requireManager)

const NOTICES = { saved: 'analytics.reports.saved', deleted: 'analytics.reports.deleted' } as const

async function reportsPage(c: Context<AppEnv>, options: { status?: 200 | DomainError['status']; errors?: FieldErrors; values?: FormValues } = {}) {
  const tenantId = staffMember(c).tenantId
  const data = await withUserContext(c, async (trx) => ({
    reports: await listReports(trx, tenantId), jobs: await listExportJobs(trx, tenantId), events: await listTenantEvents(trx, tenantId),
  }))
  const notice = NOTICES[c.req.query('notice') as keyof typeof NOTICES]
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('analytics.reports.title'),
    status: options.status,
    body: <ReportsPage t={c.var.t} lang={c.var.lang} {...data} notice={notice && c.var.t(notice)} errors={options.errors} values={options.values} />,
  })
}

const idParam = z.uuid()
function idOf(c: Context<AppEnv>): string {
  const id = idParam.safeParse(c.req.param('id'))
  if (!id.success) throw new NotFoundError()
  return id.data
}

reportsRoutes.get('/manage/reports', (c) => reportsPage(c))

reportsRoutes.post('/manage/reports', async (c) => {
  const form = await readForm(c, reportForm)
  if (!form.ok) return reportsPage(c, { status: 422, errors: form.errors, values: form.values })
  const staff = staffMember(c)
  try {
    await withUserContext(c, (trx) => createReport(trx, { tenantId: staff.tenantId, userId: staff.userId }, form.data, c.var.now))
  } catch (error) {
    const failure = formError(c, error)
    return reportsPage(c, { status: failure.status, errors: failure.errors, values: form.values })
  }
  return c.redirect('/manage/reports?notice=saved', 303)
})

reportsRoutes.post('/manage/reports/:id/delete', async (c) => {
  const id = idOf(c)
  await withUserContext(c, (trx) => deleteReport(trx, staffMember(c).tenantId, id))
  return c.redirect('/manage/reports?notice=deleted', 303)
})

reportsRoutes.post('/manage/reports/:id/jobs', async (c) => {
  const id = idOf(c)
  const staff = staffMember(c)
  const body = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
  let jobId: string
  try {
    const format = parseFormat(body.format)
    jobId = await withUserContext(c, async (trx) => {
      const report = await findReport(trx, staff.tenantId, id)
      return createExportJob(trx, { tenantId: staff.tenantId, userId: staff.userId },
        { dataset: report.dataset, format, columns: report.columns, filters: report.filters, lang: c.var.lang })
    })
  } catch (error) {
    const failure = formError(c, error)
    return reportsPage(c, { status: failure.status, errors: failure.errors })
  }
  await c.var.services.scheduler.enqueue({ kind: 'build-export', payload: { jobId }, dedupeKey: `export:${jobId}` })
  return c.redirect(`/manage/exports/jobs/${jobId}`, 303)
})

/** A background export straight from the dashboard's filter: dataset, format, the filter and optional columns. */
reportsRoutes.post('/manage/exports/jobs', async (c) => {
  const staff = staffMember(c)
  const body = await c.req.parseBody().catch(() => ({} as Record<string, unknown>))
  const text = (name: string) => (typeof body[name] === 'string' ? body[name] as string : undefined)
  const jobId = await withUserContext(c, (trx) => createFilteredExportJob(trx, { tenantId: staff.tenantId, userId: staff.userId }, {
    dataset: text('dataset'), format: text('format'), columns: text('columns'), lang: c.var.lang,
    filter: { event: text('event'), type: text('type'), from: text('from'), to: text('to') },
  }))
  await c.var.services.scheduler.enqueue({ kind: 'build-export', payload: { jobId }, dedupeKey: `export:${jobId}` })
  return c.redirect(`/manage/exports/jobs/${jobId}`, 303)
})

reportsRoutes.get('/manage/exports/jobs/:id', async (c) => {
  const id = idOf(c)
  const job = await withUserContext(c, (trx) => findExportJob(trx, staffMember(c).tenantId, id))
  c.header('Cache-Control', 'private, no-store')
  return renderPage(c, {
    title: c.var.t('analytics.job.title'),
    scripts: ['htmx', 'tikiti'],
    body: <JobPage t={c.var.t} lang={c.var.lang} job={job} now={c.var.now} />,
  })
})

reportsRoutes.get('/manage/exports/jobs/:id/download', async (c) => {
  const id = idOf(c)
  const file = await withUserContext(c, (trx) => exportJobFile(trx, staffMember(c).tenantId, id, c.var.now))
  return sendFile(c, file)
})
