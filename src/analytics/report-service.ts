/**
 * Custom reports: a dataset, its columns and a filter, saved by name for the organiser's tenant; and the
 * exports a job prepares in the background (progress, then a download for 24 hours).
 */
import { sql } from 'kysely'
import { z } from 'zod'
import type { Queryable } from '../db/database.ts'
import type { ExportDataset, ExportFormat } from '../db/schema.ts'
import { DomainError, NotFoundError } from '../lib/domain-errors.ts'
import { assertScope, scopeOf } from './dashboard-service.ts'
import { DATASET_COLUMNS, EXPORT_DATASETS, EXPORT_FORMATS, isDataset } from './datasets.ts'
import { checkedColumns } from './export-service.ts'
import { filterParams, parseFigureFilter, type FigureFilter } from './filters.ts'

export const MAX_REPORTS = 100

export const reportForm = z.object({
  name: z.string().trim().min(1, 'analytics.reports.badName').max(80, 'analytics.reports.badName'),
  dataset: z.enum(EXPORT_DATASETS, { message: 'analytics.reports.badDataset' }),
  columns: z.preprocess((value) => (value == null ? [] : Array.isArray(value) ? value : [value]), z.array(z.string().max(60)).max(200)),
  event: z.string().optional(),
  type: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
})

export type ReportForm = z.output<typeof reportForm>

export interface SavedFilter {
  event?: string
  type?: string
  from?: string
  to?: string
}

/** The stored filter as the dashboard reads it (strictly: a stored value that no longer parses is a 400). */
export function filterOfSaved(filters: unknown): FigureFilter {
  const f = (filters ?? {}) as Record<string, unknown>
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined)
  return parseFigureFilter({ event: text(f.event), type: text(f.type), from: text(f.from), to: text(f.to) })
}

export function savedFilterOf(filter: FigureFilter): SavedFilter {
  return Object.fromEntries(filterParams(filter)) as SavedFilter
}

/**
 * A form's columns: checkboxes carry `dataset:key` (one group per dataset on the page), or a bare key;
 * only the chosen dataset's count, and each must be one of its columns.
 */
export function formColumns(dataset: ExportDataset, values: string[]): string[] {
  const picked = values.flatMap((value) => {
    const [prefix, key] = value.includes(':') ? value.split(':', 2) : [dataset, value]
    return prefix === dataset && key ? [key] : []
  })
  if (picked.length === 0) throw new DomainError(422, 'no_columns', 'analytics.reports.noColumns')
  return checkedColumns(dataset, picked).map((column) => column.key)
}

export async function listReports(db: Queryable, tenantId: string) {
  return db.selectFrom('saved_reports').select(['id', 'name', 'dataset', 'columns', 'filters', 'created_at'])
    .where('tenant_id', '=', tenantId).orderBy('name').limit(MAX_REPORTS).execute()
}

export type SavedReport = Awaited<ReturnType<typeof listReports>>[number]

/** Saves a report; throws 4xx domain errors for bad columns, a filter outside the tenant, or a taken name. */
export async function createReport(db: Queryable, owner: { tenantId: string; userId: string }, form: ReportForm, now: Date): Promise<string> {
  if (form.columns.length === 0) throw new DomainError(422, 'no_columns', 'analytics.reports.noColumns')
  const columns = formColumns(form.dataset, form.columns)
  const filter = parseFigureFilter({ event: form.event, type: form.type, from: form.from, to: form.to })
  await assertScope(db, scopeOf(owner.tenantId, filter))
  const row = await db.insertInto('saved_reports').values({
    tenant_id: owner.tenantId, created_by: owner.userId, name: form.name, dataset: form.dataset, columns,
    filters: savedFilterOf(filter) as Record<string, unknown>, created_at: now, updated_at: now,
  }).onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing()).returning('id').executeTakeFirst()
  if (!row) throw new DomainError(409, 'duplicate_name', 'analytics.reports.duplicateName')
  return row.id
}

export async function findReport(db: Queryable, tenantId: string, id: string) {
  const report = await db.selectFrom('saved_reports').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  if (!report) throw new NotFoundError()
  return report
}

export async function deleteReport(db: Queryable, tenantId: string, id: string): Promise<void> {
  const done = await db.deleteFrom('saved_reports').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  if (Number(done.numDeletedRows) === 0) throw new NotFoundError()
}

export function parseFormat(value: unknown): ExportFormat {
  if (typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value)) return value as ExportFormat
  throw new DomainError(422, 'bad_format', 'analytics.reports.badFormat')
}

/** A job for the report in `format`, in the tenant's context; the caller enqueues it. */
export async function createExportJob(
  db: Queryable, owner: { tenantId: string; userId: string }, job: { dataset: ExportDataset; format: ExportFormat; columns: string[]; filters: unknown; lang: string },
): Promise<string> {
  checkedColumns(job.dataset, job.columns)
  filterOfSaved(job.filters)
  const row = await db.insertInto('export_jobs').values({
    tenant_id: owner.tenantId, requested_by: owner.userId, dataset: job.dataset, file_type: job.format, columns: job.columns,
    filters: { ...(job.filters as Record<string, unknown>), lang: job.lang },
  }).returning('id').executeTakeFirstOrThrow()
  return row.id
}

/** A job from a dashboard filter; 4xx domain errors for an unknown dataset, format, column, or a filter outside the tenant. */
export async function createFilteredExportJob(
  db: Queryable, owner: { tenantId: string; userId: string },
  input: { dataset?: string; format?: string; columns?: string; lang: string; filter: Record<string, string | undefined> },
): Promise<string> {
  if (!input.dataset || !isDataset(input.dataset)) throw new DomainError(422, 'unknown_dataset', 'analytics.reports.badDataset')
  const format = parseFormat(input.format)
  const wanted = input.columns ? input.columns.split(',').map((c) => c.trim()).filter(Boolean) : undefined
  const columns = checkedColumns(input.dataset, wanted).map((column) => column.key)
  const filter = parseFigureFilter(input.filter)
  await assertScope(db, scopeOf(owner.tenantId, filter))
  return createExportJob(db, owner, { dataset: input.dataset, format, columns, filters: savedFilterOf(filter), lang: input.lang })
}

export async function findExportJob(db: Queryable, tenantId: string, id: string) {
  const job = await db.selectFrom('export_jobs')
    .select(['id', 'dataset', 'file_type', 'status', 'total_rows', 'done_rows', 'filename', 'error', 'created_at', 'finished_at', 'expires_at',
      sql<boolean>`result is not null`.as('has_result')])
    .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  if (!job) throw new NotFoundError()
  return job
}

export type ExportJobView = Awaited<ReturnType<typeof findExportJob>>

export async function listExportJobs(db: Queryable, tenantId: string) {
  return db.selectFrom('export_jobs').select(['id', 'dataset', 'file_type', 'status', 'total_rows', 'done_rows', 'created_at'])
    .where('tenant_id', '=', tenantId).orderBy('created_at', 'desc').limit(10).execute()
}

export async function exportJobFile(db: Queryable, tenantId: string, id: string, now: Date) {
  const job = await db.selectFrom('export_jobs').select(['status', 'result', 'filename', 'content_type', 'expires_at'])
    .where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst()
  if (!job || job.status !== 'done' || !job.result || job.expires_at <= now) throw new NotFoundError()
  return { filename: job.filename ?? 'export', contentType: job.content_type ?? 'application/octet-stream', body: job.result }
}

/** The columns of every dataset, for the form's checkbox groups. */
export { DATASET_COLUMNS }
